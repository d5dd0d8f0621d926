import { describe, expect, it } from 'vitest';
import { classifyQuicResponse } from './classify-response.ts';

const OURS = Buffer.from('0102030405060708', 'hex');
const longHeader = (firstByte: number, version: number, dcid: Buffer) =>
  Buffer.concat([
    Buffer.from([firstByte]),
    Buffer.from(version.toString(16).padStart(8, '0'), 'hex'),
    Buffer.from([dcid.length]),
    dcid,
    Buffer.from([0]),
  ]);

describe('classifyQuicResponse', () => {
  it.each([
    ['Version Negotiation', longHeader(0x80, 0, OURS), 'version_negotiation'],
    ['an Initial', longHeader(0xc0, 1, OURS), 'initial'],
    ['a Retry', longHeader(0xf0, 1, OURS), 'retry'],
    ['a Handshake packet', longHeader(0xe0, 1, OURS), 'other'],
    ['a long header for someone else', longHeader(0xc0, 1, Buffer.from('ffffffffffffffff', 'hex')), 'other'],
    ['a short header', Buffer.from('4001020304', 'hex'), 'other'],
    ['an empty datagram', Buffer.alloc(0), 'other'],
  ])('classifies %s', (_name, datagram, expected) => {
    expect(classifyQuicResponse(datagram, OURS)).toBe(expected);
  });
});
