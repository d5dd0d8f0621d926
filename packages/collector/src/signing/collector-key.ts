import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  exportPrivateKeyPem,
  exportPublicKey,
  generateAgentKeyPair,
  importPrivateKeyPem,
  signingKeyId,
} from '@reachmap/agent-auth';

/** The collector's Ed25519 identity: it signs agent configurations; agents pin the public half. */
export interface CollectorSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Raw public key, base64url: what enrolment hands to the agent. */
  publicKeyBase64url: string;
  keyId: string;
}

export const COLLECTOR_KEY_FILE = 'collector-ed25519.pem';

export function signingKeyFrom(privateKey: KeyObject): CollectorSigningKey {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyBase64url: exportPublicKey(publicKey),
    keyId: signingKeyId(publicKey),
  };
}

/**
 * Reads the key from `dataDir`, generating it on first start. The file is created with mode 0600 and
 * exclusively (`wx`), so two collectors starting together cannot end up with different keys on disk.
 */
export function loadOrCreateCollectorKey(dataDir: string): CollectorSigningKey {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, COLLECTOR_KEY_FILE);
  try {
    return signingKeyFrom(importPrivateKeyPem(readFileSync(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateAgentKeyPair();
  try {
    writeFileSync(path, exportPrivateKeyPem(privateKey), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return signingKeyFrom(importPrivateKeyPem(readFileSync(path, 'utf8')));
  }
  return signingKeyFrom(privateKey);
}
