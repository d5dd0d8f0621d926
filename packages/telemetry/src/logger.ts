import { type LevelWithSilent, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

export type LogLevel = LevelWithSilent;

/**
 * Field paths never written to logs. Agents' tokens, API keys, webhook secrets and signatures must
 * not leak through a debug line, whichever object they ride in on.
 */
const REDACTED_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'privateKey',
  '*.privateKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-reachmap-signature"]',
  '*.headers["x-reachmap-signature"]',
  'headers.cookie',
  '*.headers.cookie',
];

export interface LoggerConfig {
  /** The process or component: `collector`, `aggregator`, `api`, `agent`. */
  name: string;
  level?: LogLevel;
  /** Human-readable output; defaults to on when stdout is a terminal. JSON otherwise. */
  pretty?: boolean;
  /** Write somewhere other than stdout (tests). */
  destination?: NodeJS.WritableStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.name,
    level: config.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const pretty = config.pretty ?? (config.destination === undefined && process.stdout.isTTY === true);
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return config.destination === undefined ? pino(options) : pino(options, config.destination);
}
