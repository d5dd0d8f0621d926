import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RotatingLogFile } from './rotating-log-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'reachmap-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RotatingLogFile', () => {
  it('rotates by size and keeps only the newest files', () => {
    const path = join(dir, 'logs/reachmap.log');
    const file = new RotatingLogFile(path, { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 20; i++) file.write(`{"line":${String(i).padStart(3, '0')},"pad":"xxxxxxxxxxxxxxx"}`);
    file.close();
    expect(readFileSync(path, 'utf8')).toContain('"line":019');
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    const total = [path, `${path}.1`, `${path}.2`].map((p) => readFileSync(p).length);
    expect(Math.max(...total)).toBeLessThanOrEqual(100);
  });

  it('appends to what an earlier run wrote', () => {
    const path = join(dir, 'again.log');
    new RotatingLogFile(path).write('first');
    const second = new RotatingLogFile(path);
    second.write('second');
    second.close();
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n');
  });
});
