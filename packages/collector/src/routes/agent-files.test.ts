import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAgentBundleManifest } from '@reachmap/agent-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentFilesError, loadAgentFiles } from '../agent-files/agent-files.ts';
import { type Harness, startHarness, type TestCollector } from '../testing/collector-harness.ts';

const INSTALLER = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'agent', 'install.sh');
const BUNDLE = Buffer.from('#!/usr/bin/env node\nconsole.log("reachmap-agent 0.3.0");\n');

let harness: Harness;
let collector: TestCollector;

beforeAll(async () => {
  harness = await startHarness();
  const dist = join(harness.dir, 'agent-dist');
  mkdirSync(dist);
  writeFileSync(join(dist, 'reachmap-agent.mjs'), BUNDLE);
  writeFileSync(join(dist, 'reachmap-agent.json'), '{"name":"reachmap-agent","version":"0.3.0"}');
  writeFileSync(join(dist, 'reachmap-agent.service'), '[Service]\nExecStart=/usr/bin/node x.mjs run\n');
  writeFileSync(join(dist, 'install.sh'), readFileSync(INSTALLER));
  collector = harness.build({ agentFiles: loadAgentFiles(dist, harness.signingKey) });
});

afterAll(async () => {
  await harness?.close();
});

describe('GET /agent/*', () => {
  it('serves the bundle with a manifest signed by the collector key and its SHA-256', async () => {
    const bundle = await collector.request('/agent/reachmap-agent.mjs');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('x-reachmap-agent-version')).toBe('0.3.0');
    expect(Buffer.from(await bundle.arrayBuffer())).toEqual(BUNDLE);

    const signed = await (await collector.request('/agent/reachmap-agent.mjs.sig')).json();
    const verified = verifyAgentBundleManifest(signed, harness.signingKey.publicKey);
    const sha256 = createHash('sha256').update(BUNDLE).digest('hex');
    expect(verified).toEqual({
      ok: true,
      manifest: {
        name: 'reachmap-agent',
        version: '0.3.0',
        file: 'reachmap-agent.mjs',
        sha256,
        size: BUNDLE.length,
      },
    });
    const line = await (await collector.request('/agent/reachmap-agent.mjs.sha256')).text();
    expect(line).toBe(`${sha256}  reachmap-agent.mjs\n`);
    const unit = await collector.request('/agent/reachmap-agent.service');
    expect(await unit.text()).toContain('ExecStart=');
  });

  it('fills the installer with the origin it was fetched from and the collector key', async () => {
    const response = await collector.request('http://collector.example:8470/agent/install.sh');
    expect(response.status).toBe(200);
    const script = await response.text();
    expect(script).toContain("COLLECTOR_URL='http://collector.example:8470'");
    expect(script).toContain(`COLLECTOR_KEY='${harness.signingKey.publicKeyBase64url}'`);
    expect(script).not.toContain('@REACHMAP_');

    const configured = harness.build({
      agentFiles: loadAgentFiles(join(harness.dir, 'agent-dist'), harness.signingKey),
      publicUrl: 'https://collector.example.org',
    });
    const behindProxy = await (await configured.request('http://10.0.0.5:8470/agent/install.sh')).text();
    expect(behindProxy).toContain("COLLECTOR_URL='https://collector.example.org'");
  });

  it('refuses a Host that is not a plain host name, since it would be pasted into a script', async () => {
    // WHATWG URLs let quotes, semicolons and $( ) through in a host name.
    const response = await collector.request("http://x';touch$(id).example/agent/install.sh");
    expect(response.status).toBe(400);
  });

  it('refuses to start on an incomplete agent build, saying how to build it', () => {
    const incomplete = join(harness.dir, 'incomplete');
    mkdirSync(incomplete);
    writeFileSync(join(incomplete, 'reachmap-agent.mjs'), BUNDLE);
    expect(() => loadAgentFiles(incomplete, harness.signingKey)).toThrow(
      /cannot read the agent's reachmap-agent\.json .*pnpm --filter @reachmap\/agent build/,
    );
    writeFileSync(join(incomplete, 'reachmap-agent.json'), '{"name":"reachmap-agent","version":"latest"}');
    expect(() => loadAgentFiles(incomplete, harness.signingKey)).toThrow(AgentFilesError);
  });

  it('answers 404 with a reason when no agent build is configured', async () => {
    const response = await harness.build().request('/agent/reachmap-agent.mjs');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'agent_files_unavailable' } });
  });
});
