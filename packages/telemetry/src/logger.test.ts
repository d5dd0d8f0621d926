import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
