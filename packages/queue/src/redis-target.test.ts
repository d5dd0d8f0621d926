import { describe, expect, it } from 'vitest';
import { InvalidRedisUrlError, parseRedisTarget, redactRedisUrl } from './redis-target.ts';

describe('parseRedisTarget', () => {
  it.each([
    ['redis://127.0.0.1:6379/0', { kind: 'single', url: 'redis://127.0.0.1:6379/0' }],
    ['rediss://:secret@cache.example:6380', { kind: 'single', url: 'rediss://:secret@cache.example:6380' }],
    [
      'redis+cluster://10.0.0.1:7000,10.0.0.2:7001',
      {
        kind: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
        ],
        password: undefined,
        tls: false,
      },
    ],
    [
      'redis://:pw@127.0.0.1:7000,redis://127.0.0.1:7001',
      {
        kind: 'cluster',
        nodes: [
          { host: '127.0.0.1', port: 7000 },
          { host: '127.0.0.1', port: 7001 },
        ],
        password: 'pw',
        tls: false,
      },
    ],
  ])('reads %s', (input, expected) => {
    expect(parseRedisTarget(input)).toEqual(expected);
  });

  it.each([
    ['http://127.0.0.1:6379'],
    ['   '],
    ['bogus'],
    ['redis+cluster://host:notaport'],
    ['localhost:6379'],
  ])('refuses %j with a message naming REDIS_URL', (input) => {
    expect(() => parseRedisTarget(input)).toThrow(InvalidRedisUrlError);
    expect(() => parseRedisTarget(input)).toThrow(/REDIS_URL/);
  });

  it('never echoes a password it cannot read', () => {
    expect(() => parseRedisTarget('redis://user:hunter2@[bad')).toThrow(/user:\*\*\*@/);
  });

  it('redacts passwords for logs', () => {
    expect(redactRedisUrl('redis://user:hunter2@host:6379')).toBe('redis://user:***@host:6379');
  });
});
