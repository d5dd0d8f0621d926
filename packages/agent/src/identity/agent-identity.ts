import type { KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportPrivateKeyPem, importPrivateKeyPem, importPublicKey } from '@reachmap/agent-auth';
import { AgentId, AgentNetwork } from '@reachmap/schema';
import { z } from 'zod';
import { writeFileDurably } from '../spool/durable-file.ts';

/** What enrolment leaves in the state directory, besides the private key. */
export const AgentIdentityFile = z.object({
  agent_id: AgentId,
  collector_url: z.url({ protocol: /^https?$/ }),
  /** Pinned at enrolment: every configuration must verify with it. */
  collector_public_key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  network: AgentNetwork,
  label: z.string().max(100).nullable(),
  enrolled_at: z.iso.datetime(),
});
export type AgentIdentityFile = z.infer<typeof AgentIdentityFile>;

export interface AgentIdentity extends AgentIdentityFile {
  privateKey: KeyObject;
  collectorKey: KeyObject;
}

export const IDENTITY_FILE = 'identity.json';
export const PRIVATE_KEY_FILE = 'agent-ed25519.pem';

export class NotEnrolledError extends Error {
  override readonly name = 'NotEnrolledError';
  constructor(stateDir: string) {
    super(`no agent identity in ${stateDir}; run "reachmap-agent enroll --collector URL --token T" first`);
  }
}

export class IdentityCorruptError extends Error {
  override readonly name = 'IdentityCorruptError';
}

export async function saveIdentity(
  stateDir: string,
  identity: AgentIdentityFile,
  privateKey: KeyObject,
): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  // The key first: an identity file without its key would be an agent that cannot sign.
  await writeFileDurably(join(stateDir, PRIVATE_KEY_FILE), exportPrivateKeyPem(privateKey), 0o600);
  await writeFileDurably(join(stateDir, IDENTITY_FILE), `${JSON.stringify(identity, null, 2)}\n`, 0o600);
}

export async function loadIdentity(stateDir: string): Promise<AgentIdentity> {
  let identityText: string;
  let keyText: string;
  try {
    identityText = await readFile(join(stateDir, IDENTITY_FILE), 'utf8');
    keyText = await readFile(join(stateDir, PRIVATE_KEY_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotEnrolledError(stateDir);
    throw error;
  }
  let parsed: AgentIdentityFile;
  try {
    parsed = AgentIdentityFile.parse(JSON.parse(identityText));
  } catch (error) {
    throw new IdentityCorruptError(
      `${join(stateDir, IDENTITY_FILE)} is damaged: ${(error as Error).message}`,
    );
  }
  return {
    ...parsed,
    privateKey: importPrivateKeyPem(keyText),
    collectorKey: importPublicKey(parsed.collector_public_key),
  };
}

export async function isEnrolled(stateDir: string): Promise<boolean> {
  try {
    await readFile(join(stateDir, IDENTITY_FILE));
    return true;
  } catch {
    return false;
  }
}
