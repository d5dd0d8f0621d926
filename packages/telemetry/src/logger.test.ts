import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logLevelFromEnv, REDACTED_FIELDS } from './log-policy.ts';
import { createLogger } from './logger.ts';

function collectingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ name: 'test', destination }), lines };
}

describe('createLogger', () => {
  it('writes JSON lines with a stable msg and structured fields', () => {
    const { logger, lines } = collectingLogger();
    logger.info({ agentId: 'agt_1234567890abcdef' }, 'measurement accepted');
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({
      name: 'test',
      msg: 'measurement accepted',
      agentId: 'agt_1234567890abcdef',
    });
  });

  it('never writes secrets, wherever they appear in the logged object', () => {
    const { logger, lines } = collectingLogger();
    logger.info(
      {
        token: 'enrol-token-value',
        webhook: { secret: 'whsec_supersecret' },
        request: { headers: { authorization: 'Bearer rmk_live_key' } },
      },
      'secrets test',
    );
    const output = lines.join('');
    expect(output).not.toContain('enrol-token-value');
    expect(output).not.toContain('whsec_supersecret');
    expect(output).not.toContain('rmk_live_key');
    expect(output).toContain('[redacted]');
  });
});

describe('the log policy every process shares', () => {
  it('redacts every listed field at the top and one and two levels down', () => {
    const { logger, lines } = collectingLogger();
    for (const field of REDACTED_FIELDS) {
      logger.info({ [field]: 'leak-0', outer: { [field]: 'leak-1', inner: { [field]: 'leak-2' } } }, field);
    }
    expect(lines).toHaveLength(REDACTED_FIELDS.size);
    expect(lines.join('')).not.toContain('leak-');
  });

  it('reads LOG_LEVEL, defaults to info and refuses what is not a level', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: '' })).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug' })).toBe('debug');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'loud' })).toThrow(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
  });
});
