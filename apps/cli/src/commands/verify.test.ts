import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportPublicKey, generateAgentKeyPair, signMeasurement } from '@reachmap/agent-auth';
import { CLASSIFIER_VERSION, classifyMeasurement } from '@reachmap/classifier';
import {
  EVIDENCE_BUNDLE_FORMAT,
  type EvidenceBundle,
  type Measurement,
  newPrefixedId,
} from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';
import { afterAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
// Each case starts the real CLI, which loads the whole stack's modules (no Redis, no network).
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'reachmap-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AGENT = 'agt_verify00000000000000001';
const network = { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' } as const;
const tcp = (ip: string, failure: 'connection_reset' | null) => ({ ip, port: 443, failure, t0: 0, t: 0.05 });

function measured(overrides: Partial<Measurement>): Measurement {
  const base = sampleMeasurement({ network });
  return { ...base, agent: { ...base.agent, id: AGENT }, ...overrides };
}

/** A round as an agent reports it: two healthy controls and the target reset at TCP. */
function round(): { witness: Measurement; controls: Measurement[] } {
  const controls = (['domestic', 'foreign'] as const).map((kind, index) =>
    measured({
      target: {
        id: `control-${kind}`,
        kind: 'control',
        control: kind,
        input: null,
        catalogue_version: 'lab-1',
      },
      observations: { ...emptyObservations(), tcp: [tcp(`198.18.1.${10 + index}`, null)] },
    }),
  );
  const base = measured({});
  const witness = measured({
    round: { ...base.round, controls: controls.map((control) => control.id) },
    observations: { ...emptyObservations(), tcp: [tcp('198.18.0.10', 'connection_reset')] },
  });
  return { witness, controls };
}

/** The bundle the API would serve for the event these rounds opened, signed by the agent's key. */
function bundleOf(): EvidenceBundle {
  const { privateKey, publicKey } = generateAgentKeyPair();
  const rounds = [round(), round()];
  const witnesses = rounds.map(({ witness, controls }) => ({
    measurement: witness as unknown as Record<string, unknown>,
    signature: signMeasurement(witness, privateKey),
    verdict: classifyMeasurement({ measurement: witness, controls }),
  }));
  const verdict = witnesses[0]?.verdict;
  const at = new Date().toISOString();
  return {
    format: EVIDENCE_BUNDLE_FORMAT,
    generated_at: at,
    event: {
      id: newPrefixedId('evt'),
      type: 'block.started',
      scope: 'RU-MOW',
      target: 'whatsapp',
      method: verdict?.method ?? null,
      since: at,
      at,
      confidence: 0.9,
      counts: { blocked: 2 },
      agents: 1,
      witnesses: rounds.map(({ witness }) => witness.id),
      simulated: false,
    },
    classifier_version: CLASSIFIER_VERSION,
    catalogue: { version: 'lab-1', expectations: {} },
    witnesses,
    controls: rounds.flatMap(({ controls }) =>
      controls.map((control) => ({
        measurement: control as unknown as Record<string, unknown>,
        signature: signMeasurement(control, privateKey),
      })),
    ),
    agents: [
      { agent_id: AGENT, public_key: exportPublicKey(publicKey), enrolled_at: at, revoked_at: null, network },
    ],
  };
}

async function verify(path: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [MAIN, 'verify', path]);
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('reachmap verify', () => {
  it('verifies a bundle offline, then fails naming the witness whose byte was flipped', async () => {
    const bundle = bundleOf();
    expect(bundle.witnesses[0]?.verdict.status).toBe('blocked');
    const path = join(dir, 'bundle.json');
    writeFileSync(path, JSON.stringify(bundle, null, 2));
    const good = await verify(path);
    expect(good.stdout).toContain('verified');
    expect(good.stdout).toContain('block.started in RU-MOW: 1 distinct agent(s) reproduce blocked');
    expect(good.code).toBe(0);

    // One byte of the second witness: the reset's address 198.18.0.10 becomes 198.18.0.11.
    const victim = bundle.witnesses[1]?.measurement.id as string;
    const text = readFileSync(path, 'utf8');
    const start = text.indexOf(`"id": "${victim}"`);
    const at = text.indexOf('198.18.0.10', start) + '198.18.0.1'.length;
    writeFileSync(path, `${text.slice(0, at)}1${text.slice(at + 1)}`);
    const bad = await verify(path);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`FAIL ${victim}: signature by ${AGENT} does not match`);
    expect(bad.stdout).toContain('NOT verified');
  }, 60_000);

  it('fails a verdict the classifier does not reproduce, and an unsigned measurement', async () => {
    const bundle = bundleOf();
    const [first, second] = bundle.witnesses;
    if (first === undefined || second === undefined) throw new Error('two witnesses expected');
    first.verdict = { ...first.verdict, status: 'throttled', method: 'rate-cap' };
    second.signature = null;
    const path = join(dir, 'altered.json');
    writeFileSync(path, JSON.stringify(bundle));
    const result = await verify(path);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `FAIL ${first.measurement.id}: verdict not reproduced: recorded throttled/rate-cap`,
    );
    expect(result.stdout).toContain(`FAIL ${second.measurement.id}: not signed by its agent`);
  }, 60_000);
});
