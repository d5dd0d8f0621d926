import { describe, expect, it } from 'vitest';
import { exportPublicKey, generateAgentKeyPair, InvalidPublicKeyError, importPublicKey } from './keys.ts';
import {
  readSignatureHeaders,
  type SignableRequest,
  signRequest,
  verifyRequestSignature,
} from './request-signature.ts';

const keys = generateAgentKeyPair();
const request: SignableRequest = {
  method: 'POST',
  path: '/v1/measurements',
  body: Buffer.from('{"measurements":[]}'),
};
const now = Date.parse('2026-11-23T12:00:00Z');

function check(signedFor: SignableRequest, verifiedAs: SignableRequest, at = now) {
  const headers = signRequest(signedFor, 'agt_0123456789abcdef', keys.privateKey, now);
  const read = readSignatureHeaders((name) => headers[name], at);
  if (!read.ok) return read.code;
  return verifyRequestSignature(verifiedAs, read, importPublicKey(exportPublicKey(keys.publicKey)))
    ? 'valid'
    : 'signature_invalid';
}

describe('agent request signatures', () => {
  it('verifies an untouched request', () => {
    expect(check(request, request)).toBe('valid');
  });

  it.each([
    ['body', { ...request, body: Buffer.from('{"measurements":[1]}') }],
    ['path', { ...request, path: '/v1/agents/me/config' }],
    ['method', { ...request, method: 'PUT' }],
  ])('fails when the %s was changed in transit', (_part, tampered) => {
    expect(check(request, tampered)).toBe('signature_invalid');
  });

  it('refuses timestamps more than 5 minutes away', () => {
    expect(check(request, request, now + 301_000)).toBe('signature_expired');
    expect(check(request, request, now + 299_000)).toBe('valid');
  });

  it('names the missing headers', () => {
    const read = readSignatureHeaders(() => undefined, now);
    expect(read).toMatchObject({ ok: false, code: 'signature_missing' });
    expect(read.ok ? '' : read.message).toContain('x-reachmap-signature');
  });

  it('fails verification with another agent key', () => {
    const headers = signRequest(request, 'agt_0123456789abcdef', keys.privateKey, now);
    const read = readSignatureHeaders((name) => headers[name], now);
    if (!read.ok) throw new Error(read.message);
    expect(verifyRequestSignature(request, read, generateAgentKeyPair().publicKey)).toBe(false);
  });

  it('rejects public keys that are not 32-byte Ed25519 keys', () => {
    expect(() => importPublicKey('short')).toThrow(InvalidPublicKeyError);
  });
});
