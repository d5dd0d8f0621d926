import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '@reachmap/schema';
import { signingKeyId } from './config-signature.ts';

/** What the collector states about the agent program it serves; the signature covers all of it. */
export interface AgentBundleManifest {
  name: string;
  version: string;
  file: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
  size: number;
}

/**
 * The agent program, signed like a catalogue (Ed25519 over the RFC 8785 canonical JSON, key id of
 * the collector key): the version is inside the signed part, so an old signed program cannot be
 * passed off as a new one.
 */
export interface SignedAgentBundle {
  manifest: AgentBundleManifest;
  signature: { algorithm: 'ed25519'; key_id: string; value: string };
}

export type BundleRejectionReason =
  | 'malformed_manifest'
  | 'unknown_key'
  | 'bad_signature'
  | 'size_mismatch'
  | 'hash_mismatch';

export type VerifiedBundleManifest =
  | { ok: true; manifest: AgentBundleManifest }
  | { ok: false; reason: BundleRejectionReason; message: string };

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function signAgentBundle(
  bytes: Uint8Array,
  program: { name: string; version: string; file: string },
  privateKey: KeyObject,
): SignedAgentBundle {
  const manifest: AgentBundleManifest = { ...program, sha256: sha256Hex(bytes), size: bytes.length };
  return {
    manifest,
    signature: {
      algorithm: 'ed25519',
      key_id: signingKeyId(createPublicKey(privateKey)),
      value: sign(null, Buffer.from(canonicalJson(manifest)), privateKey).toString('base64'),
    },
  };
}

/** Checks the signed manifest (shape, key, signature); the bytes are checked by `checkBundleBytes`. */
export function verifyAgentBundleManifest(document: unknown, publicKey: KeyObject): VerifiedBundleManifest {
  if (!isSignedAgentBundle(document)) {
    return {
      ok: false,
      reason: 'malformed_manifest',
      message: 'the bundle signature is missing or not a signed manifest',
    };
  }
  const { manifest, signature } = document;
  if (signature.key_id !== signingKeyId(publicKey)) {
    return {
      ok: false,
      reason: 'unknown_key',
      message: `signed with key ${signature.key_id}, not the collector key this agent enrolled with`,
    };
  }
  if (
    !verify(null, Buffer.from(canonicalJson(manifest)), publicKey, Buffer.from(signature.value, 'base64'))
  ) {
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'the Ed25519 signature does not match the manifest',
    };
  }
  return { ok: true, manifest };
}

/** Whether downloaded bytes are the ones the verified manifest describes. */
export function checkBundleBytes(
  manifest: AgentBundleManifest,
  bytes: Uint8Array,
): { ok: true } | { ok: false; reason: BundleRejectionReason; message: string } {
  if (bytes.length !== manifest.size) {
    return {
      ok: false,
      reason: 'size_mismatch',
      message: `downloaded ${bytes.length} bytes, the manifest says ${manifest.size}`,
    };
  }
  const actual = sha256Hex(bytes);
  if (actual !== manifest.sha256) {
    return {
      ok: false,
      reason: 'hash_mismatch',
      message: `SHA-256 is ${actual}, the manifest says ${manifest.sha256}`,
    };
  }
  return { ok: true };
}

// A hand-written guard rather than a schema: the agent bundle carries this, and it is five fields.
function isSignedAgentBundle(value: unknown): value is SignedAgentBundle {
  if (typeof value !== 'object' || value === null) return false;
  const { manifest, signature } = value as Record<string, unknown>;
  if (typeof manifest !== 'object' || manifest === null) return false;
  if (typeof signature !== 'object' || signature === null) return false;
  const m = manifest as Record<string, unknown>;
  const s = signature as Record<string, unknown>;
  return (
    typeof m.name === 'string' &&
    typeof m.version === 'string' &&
    typeof m.file === 'string' &&
    typeof m.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(m.sha256) &&
    Number.isSafeInteger(m.size) &&
    Object.keys(m).length === 5 &&
    s.algorithm === 'ed25519' &&
    typeof s.key_id === 'string' &&
    /^[0-9a-f]{16}$/.test(s.key_id) &&
    typeof s.value === 'string' &&
    /^[A-Za-z0-9+/]{86}==$/.test(s.value)
  );
}
