import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportPublicKey, generateAgentKeyPair, signMeasurement } from '@reachmap/agent-auth';
import { classifyMeasurement } from '@reachmap/classifier';
import { startTestRedis } from '@reachmap/queue/testing';
import { EvidenceBundle, type Measurement } from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';
import { countMeasurement, StoreConfig } from '@reachmap/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, appendEvent, sampleEvent, startTestApi } from '../testing/api-harness.ts';

/** The CLI is a sibling app that depends on this one, so it is run by path (as an operator would). */
// The analyst's `reachmap verify`, run as the process a third party would start (no import of the app).
const CLI = new URL('../../../../apps/cli/src/main.ts', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const config = StoreConfig.parse({});
const dir = mkdtempSync(join(tmpdir(), 'reachmap-evidence-'));
const AGENT = 'agt_evidence0000000000001';
const network = { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' } as const;
const keys = generateAgentKeyPair();
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;
let eventId = '';
const witnessIds: string[] = [];

function measured(overrides: Partial<Measurement>): Measurement {
  const base = sampleMeasurement({ network, start_time: new Date(Date.now() - 120_000).toISOString() });
  return { ...base, agent: { ...base.agent, id: AGENT }, ...overrides };
}

const tcp = (ip: string, failure: 'connection_reset' | null) => ({ ip, port: 443, failure, t0: 0, t: 0.05 });

/**
 * Stores a measurement with its signature as the aggregator does (the collector checked its form and
 * queued it with the job); `signer` other than the agent's key makes a signature that does not verify.
 */
async function stored(
  measurement: Measurement,
  controls: Measurement[],
  signer = keys.privateKey,
): Promise<void> {
  const verdict = classifyMeasurement({ measurement, controls });
  const received_at = new Date().toISOString();
  const classified = { measurement, verdict, controls: 'healthy', received_at } as const;
  await countMeasurement(redis.redis, classified, config, Date.now());
  const signatures = { [measurement.id]: signMeasurement(measurement, signer) };
  harness.evidence.record([classified], 3_600_000, signatures);
}

/** One round stored: its two controls and a witness reset on TLS, the witness signed by `signer`. */
async function storedRound(signer = keys.privateKey): Promise<Measurement> {
  const controls = (['domestic', 'foreign'] as const).map((kind) =>
    measured({
      target: {
        id: `control-${kind}`,
        kind: 'control',
        control: kind,
        input: null,
        catalogue_version: 'lab-1',
      },
      observations: { ...emptyObservations(), tcp: [tcp('198.18.1.10', null)] },
    }),
  );
  const witness = measured({
    round: { id: sampleMeasurement().round.id, controls: controls.map((control) => control.id) },
    observations: { ...emptyObservations(), tcp: [tcp('198.18.0.10', 'connection_reset')] },
  });
  for (const control of controls) await stored(control, []);
  await stored(witness, controls, signer);
  return witness;
}

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis);
  await redis.redis.hset(`rm:agent:${AGENT}`, {
    public_key: exportPublicKey(keys.publicKey),
    enrolled_at: new Date(Date.now() - 86_400_000).toISOString(),
    network: JSON.stringify(network),
    label: 'alice-home',
  });
  for (let round = 0; round < 2; round += 1) witnessIds.push((await storedRound()).id);
  const event = sampleEvent({ scope: 'RU-MOW', witnesses: witnessIds, agents: 1 });
  eventId = event.id;
  await appendEvent(redis.redis, event);
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function verify(path: string): Promise<{ code: number; stdout: string }> {
  // No Redis, no network: the environment carries nothing the CLI could connect with.
  const env = { PATH: process.env.PATH ?? '' };
  try {
    return {
      code: 0,
      stdout: (await execFileAsync(process.execPath, [CLI, 'verify', path], { env })).stdout,
    };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('GET /v1/events/{id}/evidence', () => {
  it('serves a bundle that reachmap verify checks offline, and that fails once a witness byte changes', async () => {
    const response = await fetch(`${harness.api.url}/v1/events/${eventId}/evidence`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`reachmap-evidence-${eventId}.json`);
    const text = await response.text();
    const bundle = EvidenceBundle.parse(JSON.parse(text));
    expect(bundle.witnesses.map((witness) => witness.measurement.id)).toEqual(witnessIds);
    expect(bundle.controls).toHaveLength(4);
    expect(bundle.agents).toEqual([expect.objectContaining({ agent_id: AGENT, network })]);
    // Enrolment facts only: the operator's label never leaves the server.
    expect(text).not.toContain('alice-home');

    const path = join(dir, 'bundle.json');
    writeFileSync(path, text);
    const good = await verify(path);
    expect(good.stdout).toContain('verified');
    expect(good.code).toBe(0);

    const victim = witnessIds[0] ?? '';
    const start = text.indexOf(`"id":"${victim}"`);
    const at = text.indexOf('198.18.0.10', start) + '198.18.0.1'.length;
    writeFileSync(path, `${text.slice(0, at)}9${text.slice(at + 1)}`);
    const bad = await verify(path);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`FAIL ${victim}: signature by ${AGENT} does not match`);
  }, 60_000);

  it('shows a stored signature that does not verify as unsigned, and keeps the ones that do', async () => {
    // The collector verifies one signature per batch, so a forged one can reach the evidence store.
    const forged = await storedRound(generateAgentKeyPair().privateKey);
    const event = sampleEvent({ scope: 'RU-MOW', witnesses: [forged.id, witnessIds[1] ?? ''], agents: 1 });
    await appendEvent(redis.redis, event);

    const text = await (await fetch(`${harness.api.url}/v1/events/${event.id}/evidence`)).text();
    const bundle = EvidenceBundle.parse(JSON.parse(text));
    const signatureOf = (id: string) => bundle.witnesses.find((w) => w.measurement.id === id)?.signature;
    expect(signatureOf(forged.id)).toBeNull();
    expect(signatureOf(witnessIds[1] ?? '')).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(bundle.controls.every((control) => control.signature !== null)).toBe(true);

    const path = join(dir, 'forged.json');
    writeFileSync(path, text);
    const checked = await verify(path);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain(`FAIL ${forged.id}: not signed by its agent`);
  }, 60_000);

  it('answers 404 for an unknown event and 400 for a malformed id', async () => {
    expect((await fetch(`${harness.api.url}/v1/events/evt_unknown00000000000000/evidence`)).status).toBe(404);
    expect((await fetch(`${harness.api.url}/v1/events/not-an-id/evidence`)).status).toBe(400);
  });
});
