import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolAgent, type Harness, startHarness } from '../testing/collector-harness.ts';
import { runAdminCommand } from '../testing/run-admin-command.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => await harness.close());

async function run(...args: string[]) {
  const lines: string[] = [];
  const code = await runAdminCommand(args, harness.redis, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('reachmap admin', () => {
  it('creates a token that enrols an agent, lists it, and revokes it', async () => {
    const created = await run('token', 'create', '--label', 'msk-fixed-1', '--expires', '2h');
    expect(created.code).toBe(0);
    const token = /token:\s+(rmt_\S+)/.exec(created.output)?.[1];
    expect(token).toBeDefined();
    expect(await harness.redis.keys('rm:enrol-token:*')).toHaveLength(1);

    const collector = harness.build();
    const agent = await enrolAgent(collector, harness.redis);
    const listed = await run('agents', 'list');
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(
      new RegExp(`${agent.id}\\s+test\\s+RU AS64500\\s+-\\s+-\\s+0\\.1\\.0\\s+-\\s+0\\s+never`),
    );

    expect((await run('agents', 'revoke', agent.id)).code).toBe(0);
    expect((await run('agents', 'list')).output).toMatch(new RegExp(`${agent.id}.*revoked`));
    expect((await run('agents', 'revoke', 'agt_unknown0000000000000')).code).toBe(1);
  });

  it('explains usage errors with exit code 2 and prints generated help', async () => {
    const missingLabel = await run('token', 'create');
    expect(missingLabel.code).toBe(2);
    expect(missingLabel.output).toContain("required option '--label <label>' not specified");
    expect((await run('token', 'create', '--label', 'x', '--expires', 'soon')).code).toBe(2);
    expect((await run('agents', 'frobnicate')).code).toBe(2);
    expect((await run('agents', 'revoke')).code).toBe(2);
    expect((await run('agents', 'exempt', 'agt_x', '--reason', 'tor', '--clear')).code).toBe(2);
    const bogus = await run('--bogus');
    expect(bogus.code).toBe(2);
    expect(bogus.output).toContain("reachmap admin: unknown option '--bogus'");
    const help = await run('agents', '--help');
    expect(help.code).toBe(0);
    expect(help.output).toContain('Usage: reachmap admin agents [options] [command]');
    expect(help.output).toMatch(/revoke <agent-id>\s+refuse every further request/);
  });
});
