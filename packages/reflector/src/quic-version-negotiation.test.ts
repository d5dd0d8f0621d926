import { describe, expect, it } from 'vitest';
import { OFFERED_VERSION, parseLongHeader, versionNegotiationFor } from './quic-version-negotiation.ts';
import { initialDatagram } from './testing.ts';

const dcid = Buffer.from('8394c8f03e515708', 'hex');
const scid = Buffer.from('c0ffee', 'hex');

describe('versionNegotiationFor', () => {
  it('echoes the connection ids swapped and offers the greasing version', () => {
    const reply = versionNegotiationFor(initialDatagram(dcid, scid));
    expect(reply).not.toBeNull();
    const header = parseLongHeader(reply ?? Buffer.alloc(0));
    expect(header?.version).toBe(0);
    expect(header?.destinationConnectionId).toEqual(scid);
    expect(header?.sourceConnectionId).toEqual(dcid);
    expect(reply?.readUInt32BE((reply?.length ?? 4) - 4)).toBe(OFFERED_VERSION);
  });

  it('ignores datagrams under 1200 bytes', () => {
    expect(versionNegotiationFor(initialDatagram(dcid, scid, 1199))).toBeNull();
  });

  it('ignores short-header packets', () => {
    const short = initialDatagram(dcid, scid);
    short[0] = 0x43;
    expect(versionNegotiationFor(short)).toBeNull();
  });

  it('never answers a Version Negotiation packet', () => {
    const negotiation = initialDatagram(dcid, scid);
    negotiation.writeUInt32BE(0, 1);
    expect(versionNegotiationFor(negotiation)).toBeNull();
  });

  it('rejects a header whose ids run past the end', () => {
    expect(parseLongHeader(Buffer.from([0xc3, 0, 0, 0, 1, 20, 1, 2]))).toBeNull();
  });
});
