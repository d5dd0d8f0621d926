import { describe, expect, it } from 'vitest';
import { compareVersions, decideUpdate, parseUpdatePolicy } from './update-policy.ts';

describe('self-update policy', () => {
  it('reads auto, off and a pinned version, and refuses anything else', () => {
    expect(parseUpdatePolicy(undefined)).toEqual({ mode: 'auto' });
    expect(parseUpdatePolicy('auto')).toEqual({ mode: 'auto' });
    expect(parseUpdatePolicy('off')).toEqual({ mode: 'off' });
    expect(parseUpdatePolicy('0.2.0')).toEqual({ mode: 'pin', version: '0.2.0' });
    expect(() => parseUpdatePolicy('latest')).toThrow(/auto, off or a version/);
  });

  it('compares versions by number, not as text', () => {
    expect(compareVersions('0.10.0', '0.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('1.0.0-rc1', '1.0.0')).toBeNull();
  });

  it('installs only a newer version, never an older one, unless pinned to it', () => {
    const auto = { mode: 'auto' } as const;
    expect(decideUpdate('0.2.0', '0.1.0', auto)).toBe('install');
    expect(decideUpdate('0.1.0', '0.1.0', auto)).toBe('current');
    expect(decideUpdate('0.0.9', '0.1.0', auto)).toBe('current');
    expect(decideUpdate('0.2.0', '0.1.0', { mode: 'off' })).toBe('off');
    expect(decideUpdate('0.2.0', '0.1.0', { mode: 'pin', version: '0.1.0' })).toBe('pinned');
    expect(decideUpdate('0.0.9', '0.1.0', { mode: 'pin', version: '0.0.9' })).toBe('install');
  });
});
