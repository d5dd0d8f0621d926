import { describe, expect, it } from 'vitest';
import { matchesHostGlob } from './host-glob.ts';

describe('matchesHostGlob', () => {
  it.each([
    ['*.whatsapp.net', 'e1.whatsapp.net.lab', true],
    ['*.whatsapp.net', 'e1.whatsapp.net', true],
    ['*.whatsapp.net', 'whatsapp.net.lab', false],
    ['*.whatsapp.net', 'e1.whatsapp.network.lab', false],
    ['web.telegram.org', 'WEB.telegram.org.lab', true],
    ['*', 'anything.lab', true],
  ])('%s vs %s → %s', (glob, name, expected) => {
    expect(matchesHostGlob(glob, name)).toBe(expected);
  });
});
