import { describe, expect, it } from 'vitest';
import { isBogon } from './bogon.ts';
import { parseIp, parsePrefix, prefixContains } from './ip-address.ts';

function ip(text: string) {
  const address = parseIp(text);
  if (address === null) throw new Error(`${text} should parse`);
  return address;
}

describe('parseIp', () => {
  it.each([
    ['198.18.0.10', 4, 0xc612000an],
    ['::1', 6, 1n],
    ['2001:db8::1', 6, 0x20010db8000000000000000000000001n],
    ['::ffff:127.0.0.1', 6, 0xffff7f000001n],
    ['fe80::', 6, 0xfe800000000000000000000000000000n],
  ])('%s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each(['e1.whatsapp.net', '256.1.1.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ''])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeNull();
    },
  );
});

describe('prefixContains', () => {
  it.each([
    ['198.18.0.0/24', '198.18.0.10', true],
    ['198.18.0.0/24', '198.18.1.10', false],
    ['198.18.0.7/15', '198.19.255.255', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['0.0.0.0/0', '198.18.0.10', true],
    ['198.18.0.0/24', '::ffff:198.18.0.10', false],
  ])('%s contains %s: %s', (prefix, address, expected) => {
    const parsed = parsePrefix(prefix);
    if (parsed === null) throw new Error(`${prefix} should parse`);
    expect(prefixContains(parsed, ip(address))).toBe(expected);
  });

  it.each(['198.18.0.0/33', '198.18.0.0', '::/129', 'x/8', '1.2.3.4/8/1'])('rejects prefix %j', (text) => {
    expect(parsePrefix(text)).toBeNull();
  });
});

describe('isBogon', () => {
  it.each([
    ['127.0.0.1', true],
    ['0.0.0.0', true],
    ['10.10.34.35', true],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    // The lab's target addresses must stay plausible answers.
    ['198.18.0.10', false],
    ['198.19.200.1', false],
    // Documentation ranges are bogons, as in OONI's list and the probes' (one list: @reachmap/ip-ranges).
    ['2001:db8::1', true],
    ['192.0.2.1', true],
    ['8.8.8.8', false],
    ['2a03:2880:f10c:83:face:b00c:0:25de', false],
  ])('%s: %s', (text, expected) => {
    expect(isBogon(ip(text))).toBe(expected);
  });
});
