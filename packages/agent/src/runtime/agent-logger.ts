import { LEVEL_VALUES, type LogLevel, REDACTED_FIELDS, REDACTED_TEXT } from '@reachmap/telemetry/log-policy';

/**
 * JSON lines on stdout (journald and `docker logs` keep them) in pino's shape (`level`, `time`, `pid`,
 * `name`, `msg` and structured fields), so the same tooling reads every reachmap process. Not pino
 * itself: it loads worker-thread machinery worth ~12 MB of resident memory, a fifth of the agent's
 * idle budget on a Raspberry Pi.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

type LevelName = keyof Logger;

/** `level` as the servers read it (`LOG_LEVEL`, `logLevelFromEnv`); the same redaction list as theirs. */
export function createAgentLogger(level: LogLevel, write: (line: string) => void = writeToStdout): Logger {
  const threshold = level === 'silent' ? Number.POSITIVE_INFINITY : LEVEL_VALUES[level];
  const emit = (name: LevelName) => (fields: Record<string, unknown>, message: string) => {
    if (LEVEL_VALUES[name] < threshold) return;
    const record = {
      level: LEVEL_VALUES[name],
      time: new Date().toISOString(),
      pid: process.pid,
      name: 'agent',
      ...fields,
      msg: message,
    };
    write(`${JSON.stringify(record, redact)}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

let stdoutGone = false;
let watchingStdout = false;

/**
 * A stdout that went away (a closed terminal gives EIO, a closed pipe EPIPE) drops the lines instead
 * of crashing the agent in the middle of its ordered stop; the spool, not the log, holds the data.
 */
function writeToStdout(line: string): void {
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on('error', () => {
      stdoutGone = true;
    });
  }
  if (!stdoutGone) process.stdout.write(line);
}

function redact(key: string, value: unknown): unknown {
  if (REDACTED_FIELDS.has(key)) return REDACTED_TEXT;
  return value instanceof Error ? { type: value.name, message: value.message } : value;
}
