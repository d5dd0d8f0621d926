import { describe, expect, it } from 'vitest';
import { isBogonAddress, isNonPublicAddress } from './special-ranges.ts';

describe('isBogonAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['10.10.34.34', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['0.0.0.0', true],
    ['100.64.0.1', true],
    ['169.254.169.254', true],
    ['224.0.0.251', true],
    ['255.255.255.255', true],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['172.32.0.1', false],
    ['100.128.0.1', false],
    ['198.18.0.10', false],
    ['198.19.255.1', false],
    ['8.8.8.8', false],
    ['157.240.1.35', false],
    ['2a03:2880:f10c:83:face:b00c:0:25de', false],
    ['::ffff:8.8.8.8', false],
    ['not-an-address', false],
    ['127.1', false],
    // The documentation ranges, as in OONI's list (the probes and the classifier disagreed on them).
    ['192.0.2.1', true],
    ['198.51.100.7', true],
    ['203.0.113.9', true],
    ['2001:db8::1', true],
    // NAT64: a DNS64 resolver answers these for public names on an IPv6-only network.
    ['64:ff9b::8.8.8.8', false],
    ['64:ff9b:1::1', false],
  ])('%s → %s', (address, expected) => {
    expect(isBogonAddress(address)).toBe(expected);
  });
});

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['169.254.169.254', true],
    ['10.1.2.3', true],
    ['192.0.2.1', true],
    ['198.18.0.10', true],
    ['64:ff9b::7f00:1', true],
    ['2002:7f00:1::', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['fd00::1', true],
    ['8.8.8.8', false],
    ['::ffff:8.8.8.8', false],
    ['2a03:2880:f10c:83:face:b00c:0:25de', false],
    ['not-an-address', false],
  ])('%s → %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });
});
