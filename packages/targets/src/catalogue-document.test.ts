import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CatalogueSigningKeyError,
  catalogueContentHash,
  catalogueVersionTag,
  signCatalogue,
  supersedes,
  verifyCatalogue,
} from './catalogue-document.ts';
import { readShippedCatalogue } from './catalogue-files.ts';

const lab = await readShippedCatalogue('lab');
const collectorKey = generateKeyPairSync('ed25519');
const otherKey = generateKeyPairSync('ed25519');

/** The first Telegram TCP host of a document's catalogue, as an attacker would edit it. */
function telegramTcp(document: { catalogue: Record<string, unknown> }) {
  const targets = document.catalogue.targets as { id: string; suite: { tcp: { host: string }[] } }[];
  const endpoint = targets.find((target) => target.id === 'telegram')?.suite.tcp[0];
  if (endpoint === undefined) throw new Error('fixture lacks Telegram');
  return endpoint;
}

describe('signed catalogue documents', () => {
  it('verifies a document signed by the collector key', () => {
    const document = signCatalogue(lab, collectorKey.privateKey);
    const verified = verifyCatalogue(JSON.parse(JSON.stringify(document)), collectorKey.publicKey);
    expect(verified).toEqual({ ok: true, catalogue: lab, contentHash: document.content_hash });
  });

  it('still verifies after the JSON was re-serialised with another key order', () => {
    const document = signCatalogue(lab, collectorKey.privateKey);
    const shuffled = {
      signature: document.signature,
      content_hash: document.content_hash,
      catalogue: Object.fromEntries(Object.entries(document.catalogue).reverse()),
    };
    expect(JSON.stringify(shuffled.catalogue)).not.toBe(JSON.stringify(document.catalogue));
    expect(verifyCatalogue(shuffled, collectorKey.publicKey).ok).toBe(true);
  });

  it('rejects a tampered Telegram address through the content hash', () => {
    const document = structuredClone(signCatalogue(lab, collectorKey.privateKey));
    telegramTcp(document).host = '198.18.200.1';
    const verified = verifyCatalogue(document, collectorKey.publicKey);
    expect(verified.ok).toBe(false);
    expect(!verified.ok && verified.reason).toBe('hash_mismatch');
  });

  it('rejects a tampered catalogue whose hash was recomputed, through the signature', () => {
    const document = structuredClone(signCatalogue(lab, collectorKey.privateKey));
    telegramTcp(document).host = '198.18.200.1';
    document.content_hash = catalogueContentHash(document.catalogue);
    const verified = verifyCatalogue(document, collectorKey.publicKey);
    expect(!verified.ok && verified.reason).toBe('bad_signature');
  });

  it('rejects a document signed by a key the agent does not trust', () => {
    const document = signCatalogue(lab, otherKey.privateKey);
    const verified = verifyCatalogue(document, [collectorKey.publicKey]);
    expect(!verified.ok && verified.reason).toBe('unknown_key');
    expect(verifyCatalogue(document, [collectorKey.publicKey, otherKey.publicKey]).ok).toBe(true);
  });

  it('rejects a document that is not one', () => {
    const verified = verifyCatalogue({ catalogue: lab }, collectorKey.publicKey);
    expect(!verified.ok && verified.reason).toBe('malformed_document');
  });

  it('refuses to sign with anything but an Ed25519 private key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => signCatalogue(lab, rsa.privateKey)).toThrow(CatalogueSigningKeyError);
    expect(() => signCatalogue(lab, collectorKey.publicKey)).toThrow(CatalogueSigningKeyError);
  });

  it('tags the version with the content hash so an edit without a version bump still shows', () => {
    const edited = structuredClone(lab);
    edited.targets[0]?.known_prefixes.push('198.18.250.0/24');
    expect(catalogueVersionTag(lab)).toMatch(/^2026\.05\.01\.1\+[0-9a-f]{12}$/);
    expect(catalogueVersionTag(edited)).not.toBe(catalogueVersionTag(lab));
  });

  it('lets only a strictly later issue replace the catalogue in use', () => {
    const later = { ...lab, issued_at: '2026-06-01T00:00:00Z' };
    expect(supersedes(later, lab)).toBe(true);
    expect(supersedes(lab, later)).toBe(false);
    expect(supersedes(lab, lab)).toBe(false);
  });
});
