import { type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '@reachmap/schema';

/**
 * An agent signs each measurement on its own, so a third party can check one measurement without the
 * rest of its batch (docs/methodology.md, "Verifiable evidence"). The signature is Ed25519 over this
 * prefix and the RFC 8785 canonical JSON of the measurement: any re-serialisation that keeps the values
 * keeps the signature, and the prefix keeps a measurement signature from ever passing as a request or
 * configuration signature made with the same key.
 */
export const MEASUREMENT_SIGNATURE_CONTEXT = 'reachmap-measurement-v1\n';

function signedBytes(measurement: unknown): Buffer {
  return Buffer.from(`${MEASUREMENT_SIGNATURE_CONTEXT}${canonicalJson(measurement)}`);
}

/** Base64url Ed25519 signature of one measurement. */
export function signMeasurement(measurement: unknown, privateKey: KeyObject): string {
  return sign(null, signedBytes(measurement), privateKey).toString('base64url');
}

/** Whether `signature` has the form of one (base64url, no padding, 64 bytes), without verifying it. */
export function isMeasurementSignatureShaped(signature: string): boolean {
  return /^[A-Za-z0-9_-]{86}$/.test(signature);
}

export function verifyMeasurementSignature(
  measurement: unknown,
  signature: string,
  publicKey: KeyObject,
): boolean {
  if (!isMeasurementSignatureShaped(signature)) return false;
  return verify(null, signedBytes(measurement), publicKey, Buffer.from(signature, 'base64url'));
}
