import type { KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { checkBundleBytes, verifyAgentBundleManifest } from '@reachmap/agent-auth';
import { callCollector } from '../collector/collector-client.ts';
import { writeFileDurably } from '../spool/durable-file.ts';
import { decideUpdate, type UpdatePolicy } from './update-policy.ts';

export const BUNDLE_PATH = '/agent/reachmap-agent.mjs';

/** The outcome of one update check, as `status` shows it and the collector's agent list records it. */
export interface UpdateState {
  state: 'current' | 'installed' | 'refused' | 'pinned' | 'off' | 'unavailable' | 'failed';
  /** The version the collector serves, when it said. */
  served_version: string | null;
  /** A short code: why an update was refused or failed (`hash_mismatch`, `bad_signature`, `EACCES`…). */
  reason: string | null;
  message: string | null;
  checked_at: string;
}

export interface UpdateCheck {
  collectorUrl: string;
  /** The collector key pinned at enrolment: the only key a new program may be signed with. */
  collectorKey: KeyObject;
  runningVersion: string;
  policy: UpdatePolicy;
  /** The file this process was started from; null when it runs from sources (no update then). */
  bundlePath: string | null;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * The program file of this process: in the bundle every module's `import.meta.url` is the bundle's.
 * Running from the TypeScript sources there is no single file to replace.
 */
export function runningBundlePath(moduleUrl: string = import.meta.url): string | null {
  if (!moduleUrl.startsWith('file:')) return null;
  const path = fileURLToPath(moduleUrl);
  return path.endsWith('.mjs') ? path : null;
}

/**
 * Asks the collector which program it serves; when the policy wants it, downloads it, checks the
 * manifest's signature against the pinned collector key and the bytes against the manifest, and
 * replaces the program file atomically (a crash leaves the old or the new file, never a mix). The
 * new program runs from the next start; the caller restarts.
 */
export async function checkForUpdate(check: UpdateCheck): Promise<UpdateState> {
  const checkedAt = new Date((check.now ?? Date.now)()).toISOString();
  const state = (
    outcome: UpdateState['state'],
    served: string | null,
    reason: string | null = null,
    message: string | null = null,
  ): UpdateState => ({ state: outcome, served_version: served, reason, message, checked_at: checkedAt });

  if (check.policy.mode === 'off') return state('off', null);
  const signed = await callCollector(check.collectorUrl, {
    method: 'GET',
    path: `${BUNDLE_PATH}.sig`,
    timeoutMs: 30_000,
    signal: check.signal,
  });
  if (!signed.ok) return state('unavailable', null, signed.code, signed.message);
  const verified = verifyAgentBundleManifest(signed.body, check.collectorKey);
  if (!verified.ok) return state('refused', null, verified.reason, verified.message);
  const { manifest } = verified;
  const decision = decideUpdate(manifest.version, check.runningVersion, check.policy);
  if (decision !== 'install') return state(decision, manifest.version);
  if (check.bundlePath === null) {
    return state(
      'failed',
      manifest.version,
      'not_a_bundle',
      'this agent runs from its sources, not a bundle',
    );
  }

  const download = await callCollector(check.collectorUrl, {
    method: 'GET',
    path: BUNDLE_PATH,
    timeoutMs: 120_000,
    signal: check.signal,
  });
  if (!download.ok) return state('unavailable', manifest.version, download.code, download.message);
  const bytes = checkBundleBytes(manifest, download.bytes);
  if (!bytes.ok) return state('refused', manifest.version, bytes.reason, bytes.message);
  try {
    await writeFileDurably(check.bundlePath, download.bytes, 0o644);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return state(
      'failed',
      manifest.version,
      code ?? 'write_failed',
      `cannot replace ${check.bundlePath}: ${message}`,
    );
  }
  return state('installed', manifest.version);
}
