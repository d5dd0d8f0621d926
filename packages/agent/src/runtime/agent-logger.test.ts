import { REDACTED_FIELDS } from '@reachmap/telemetry/log-policy';
import { describe, expect, it } from 'vitest';
import { createAgentLogger } from './agent-logger.ts';

describe('createAgentLogger', () => {
  it('writes one JSON line per entry in pino shape, below the level filtered out, secrets redacted', () => {
    const lines: string[] = [];
    const logger = createAgentLogger('info', (line) => lines.push(line));
    logger.debug({ detail: 1 }, 'not shown');
    logger.warn({ agentId: 'agt_x', token: 'secret-token', err: new Error('boom') }, 'batch not delivered');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    const record = JSON.parse(lines[0] ?? '');
    expect(record).toMatchObject({ level: 40, name: 'agent', agentId: 'agt_x', msg: 'batch not delivered' });
    expect(record.token).toBe('[redacted]');
    expect(record.err).toEqual({ type: 'Error', message: 'boom' });
    expect(lines[0]).not.toContain('secret-token');
  });

  it('stays quiet when silent', () => {
    const lines: string[] = [];
    createAgentLogger('silent', (line) => lines.push(line)).error({}, 'nothing');
    expect(lines).toEqual([]);
  });
});

describe('the agent logger and the servers share one redaction list', () => {
  it('redacts every field of @reachmap/telemetry/log-policy, at any depth', () => {
    const lines: string[] = [];
    const logger = createAgentLogger('debug', (line) => lines.push(line));
    for (const field of REDACTED_FIELDS)
      logger.info({ [field]: 'leak-0', outer: { inner: { [field]: 'leak-2' } } }, field);
    expect(lines).toHaveLength(REDACTED_FIELDS.size);
    expect(lines.join('')).not.toContain('leak-');
  });
});
