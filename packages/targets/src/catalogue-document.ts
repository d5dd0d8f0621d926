import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { signingKeyId } from '@reachmap/agent-auth';
import { canonicalJson } from '@reachmap/schema';
import { z } from 'zod';
import { Catalogue } from './catalogue-schema.ts';

const ContentHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 hex digits');

export const CatalogueSignature = z.object({
  algorithm: z.literal('ed25519'),
  /** Which collector key signed: lets agents hold several keys during a rotation. */
  key_id: z.string().regex(/^[0-9a-f]{16}$/),
  value: z.base64(),
});
export type CatalogueSignature = z.infer<typeof CatalogueSignature>;

/**
 * What the collector pushes to agents. The catalogue travels as received and is checked against the
 * hash and signature before the schema sees it, so a field this agent does not know yet still counts.
 */
export const CatalogueDocument = z.object({
  catalogue: z.record(z.string(), z.unknown()),
  content_hash: ContentHash,
  signature: CatalogueSignature,
});
export type CatalogueDocument = z.infer<typeof CatalogueDocument>;

export class CatalogueSigningKeyError extends Error {
  override readonly name = 'CatalogueSigningKeyError';
}

export type CatalogueRejectionReason =
  | 'malformed_document'
  | 'unknown_key'
  | 'hash_mismatch'
  | 'bad_signature'
  | 'invalid_catalogue';

export type VerifiedCatalogue =
  | { ok: true; catalogue: Catalogue; contentHash: string }
  | { ok: false; reason: CatalogueRejectionReason; message: string };

/** SHA-256 over the RFC 8785 canonical JSON; two catalogues with the same content share it. */
export function catalogueContentHash(catalogue: Catalogue | Record<string, unknown>): string {
  return `sha256:${createHash('sha256').update(canonicalJson(catalogue)).digest('hex')}`;
}

/** The string agents record as `target.catalogue_version`: the version plus the start of the content hash. */
export function catalogueVersionTag(catalogue: Catalogue): string {
  return `${catalogue.version}+${catalogueContentHash(catalogue).slice('sha256:'.length, 'sha256:'.length + 12)}`;
}

/** Signs the canonical JSON of a validated catalogue with the collector's Ed25519 key. */
export function signCatalogue(catalogue: Catalogue, privateKey: KeyObject): CatalogueDocument {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new CatalogueSigningKeyError('catalogues are signed with an Ed25519 private key');
  }
  const valid = Catalogue.parse(catalogue);
  const canonical = canonicalJson(valid);
  return {
    catalogue: valid,
    content_hash: catalogueContentHash(valid),
    signature: {
      algorithm: 'ed25519',
      key_id: signingKeyId(createPublicKey(privateKey)),
      value: sign(null, Buffer.from(canonical), privateKey).toString('base64'),
    },
  };
}

/**
 * Checks a pushed catalogue: document shape, signing key, content hash, Ed25519 signature over the
 * canonical JSON, then the catalogue schema. Returns a value because this is where untrusted input
 * enters an agent.
 */
export function verifyCatalogue(
  document: unknown,
  publicKeys: KeyObject | readonly KeyObject[],
): VerifiedCatalogue {
  const parsed = CatalogueDocument.safeParse(document);
  if (!parsed.success) {
    return { ok: false, reason: 'malformed_document', message: z.prettifyError(parsed.error) };
  }
  const { catalogue, content_hash, signature } = parsed.data;
  const keys = Array.isArray(publicKeys) ? publicKeys : [publicKeys as KeyObject];
  const key = keys.find((candidate) => signingKeyId(candidate) === signature.key_id);
  if (key === undefined) {
    return { ok: false, reason: 'unknown_key', message: `no trusted key has id ${signature.key_id}` };
  }
  const canonical = canonicalJson(catalogue);
  const actualHash = catalogueContentHash(catalogue);
  if (actualHash !== content_hash) {
    return {
      ok: false,
      reason: 'hash_mismatch',
      message: `content hash is ${actualHash}, document says ${content_hash}`,
    };
  }
  if (!verify(null, Buffer.from(canonical), key, Buffer.from(signature.value, 'base64'))) {
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'the Ed25519 signature does not match the catalogue',
    };
  }
  const valid = Catalogue.safeParse(catalogue);
  if (!valid.success) {
    return { ok: false, reason: 'invalid_catalogue', message: z.prettifyError(valid.error) };
  }
  return { ok: true, catalogue: valid.data, contentHash: actualHash };
}

/**
 * Whether a verified update should replace the catalogue in use. Only a strictly later `issued_at`
 * does, so a replayed old (validly signed) catalogue cannot bring back stale addresses.
 */
export function supersedes(candidate: Catalogue, current: Catalogue): boolean {
  return Date.parse(candidate.issued_at) > Date.parse(current.issued_at);
}
