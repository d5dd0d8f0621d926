/**
 * What every reachmap process may log and at which level: one redaction list and one level rule for
 * the pino logger of the servers and the agent's lean logger alike. Imports nothing, so the agent's
 * bundle takes this file alone (`@reachmap/telemetry/log-policy`), not pino or OpenTelemetry.
 */

/** pino's levels, lowest volume last; `silent` writes nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The one variable every process reads its level from. */
export const LOG_LEVEL_VARIABLE = 'LOG_LEVEL';

/** pino's numeric values, so `level >= 40` filters work on every process's lines. */
export const LEVEL_VALUES: Readonly<Record<Exclude<LogLevel, 'silent'>, number>> = {
  fatal: 60,
  error: 50,
  warn: 40,
  info: 30,
  debug: 20,
  trace: 10,
};

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * The level `LOG_LEVEL` asks for: unset or empty means `info`; anything else that is not a level is
 * refused, naming the variable, rather than quietly logging at a level nobody chose.
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env[LOG_LEVEL_VARIABLE]?.trim();
  if (value === undefined || value === '') return 'info';
  if (isLogLevel(value)) return value;
  throw new Error(
    `${LOG_LEVEL_VARIABLE}: expected one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(value)})`,
  );
}

/**
 * Field names never written to a log, at any depth: enrolment tokens, API keys, webhook secrets,
 * private keys, request signatures and the headers that carry them.
 */
export const REDACTED_FIELDS: ReadonlySet<string> = new Set([
  'token',
  'secret',
  'password',
  'apiKey',
  'privateKey',
  'signature',
  'authorization',
  'cookie',
  'x-reachmap-signature',
]);

export const REDACTED_TEXT = '[redacted]';
