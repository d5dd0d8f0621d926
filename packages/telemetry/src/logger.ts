import { type Logger, type LoggerOptions, pino } from 'pino';
import { type LogLevel, REDACTED_FIELDS, REDACTED_TEXT } from './log-policy.ts';

export type { Logger };

const identifier = /^[A-Za-z_$][\w$]*$/;

/** pino paths for every redacted field at the top, one and two levels down (`req.headers.authorization`). */
function redactionPaths(): string[] {
  return [...REDACTED_FIELDS].flatMap((field) => {
    const step = identifier.test(field) ? `.${field}` : `[${JSON.stringify(field)}]`;
    const top = identifier.test(field) ? field : step;
    return [top, `*${step}`, `*.*${step}`];
  });
}

const REDACTED_PATHS = redactionPaths();

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
    redact: { paths: REDACTED_PATHS, censor: REDACTED_TEXT },
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
