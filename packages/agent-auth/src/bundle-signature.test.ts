import { describe, expect, it } from 'vitest';
import { checkBundleBytes, signAgentBundle, verifyAgentBundleManifest } from './bundle-signature.ts';
import { generateAgentKeyPair } from './keys.ts';

const collector = generateAgentKeyPair();
const bytes = Buffer.from('#!/usr/bin/env node\nconsole.log("agent");\n');
const program = { name: 'reachmap-agent', version: '0.2.0', file: 'reachmap-agent.mjs' };

describe('agent bundle signatures', () => {
  it('verifies the manifest after a JSON round trip and accepts the bytes it describes', () => {
    const signed = JSON.parse(JSON.stringify(signAgentBundle(bytes, program, collector.privateKey)));
    const verified = verifyAgentBundleManifest(signed, collector.publicKey);
    expect(verified).toEqual({ ok: true, manifest: expect.objectContaining({ version: '0.2.0' }) });
    expect(verified.ok && checkBundleBytes(verified.manifest, bytes)).toEqual({ ok: true });
  });

  it('refuses a raised version, another key, a missing signature and other bytes', () => {
    const signed = signAgentBundle(bytes, program, collector.privateKey);
    const raised = { ...signed, manifest: { ...signed.manifest, version: '9.0.0' } };
    expect(verifyAgentBundleManifest(raised, collector.publicKey)).toMatchObject({ reason: 'bad_signature' });
    expect(verifyAgentBundleManifest(signed, generateAgentKeyPair().publicKey)).toMatchObject({
      reason: 'unknown_key',
    });
    expect(verifyAgentBundleManifest({ manifest: signed.manifest }, collector.publicKey)).toMatchObject({
      reason: 'malformed_manifest',
    });
    const other = Buffer.from(bytes);
    other[other.length - 2] = 0x20;
    expect(checkBundleBytes(signed.manifest, other)).toMatchObject({ reason: 'hash_mismatch' });
    expect(checkBundleBytes(signed.manifest, other.subarray(1))).toMatchObject({ reason: 'size_mismatch' });
  });
});
