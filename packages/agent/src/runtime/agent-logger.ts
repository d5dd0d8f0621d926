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

/** pino's numeric levels, so `level >= 40` filters work on agent logs too. */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
type LevelName = keyof typeof LEVELS;

/** Never logged, whatever object they ride in on. */
const REDACTED_KEYS = new Set(['token', 'privateKey', 'signature', 'authorization']);

export function createAgentLogger(
  level: string = process.env.REACHMAP_AGENT_LOG_LEVEL ?? 'info',
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold =
    level === 'silent' ? Number.POSITIVE_INFINITY : (LEVELS[level as LevelName] ?? LEVELS.info);
  const emit = (name: LevelName) => (fields: Record<string, unknown>, message: string) => {
    if (LEVELS[name] < threshold) return;
    const record = {
      level: LEVELS[name],
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

function redact(key: string, value: unknown): unknown {
  if (REDACTED_KEYS.has(key)) return '[redacted]';
  return value instanceof Error ? { type: value.name, message: value.message } : value;
}
