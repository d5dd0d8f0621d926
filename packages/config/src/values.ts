import { LOG_LEVELS } from '@reachmap/telemetry/log-policy';
import { z } from 'zod';

/** Schema pieces for configuration values that arrive as strings from the environment or a file. */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `500ms`, `30s`, `5m`, `24h`, `90d` → milliseconds. A bare number means milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

export const duration = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDurationMs(value.trim());
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 5m, 24h or 7d' });
      return z.NEVER;
    }
    return ms;
  });

export const port = () =>
  z.coerce
    .number({ message: 'expected a TCP port number' })
    .int('expected a whole port number')
    .min(0, 'expected a port from 0 to 65535')
    .max(65_535, 'expected a port from 0 to 65535');

export const positiveInt = () =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .positive('expected > 0');

export const flag = () =>
  z.union([z.boolean(), z.string()]).transform((value, ctx) => {
    if (typeof value === 'boolean') return value;
    const normalized = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(normalized)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true/false (also 1/0, yes/no, on/off)' });
    return z.NEVER;
  });

/** 1kb, 5mb, 100MB, 2gb → bytes. */
export const byteSize = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
    if (match === null) {
      ctx.addIssue({ code: 'custom', message: 'expected a size such as 512kb, 100mb or 1gb' });
      return z.NEVER;
    }
    const unit = (match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb' | 'gb';
    return Math.round(Number(match[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit]);
  });

// Schemas made by `filePath()`; loadConfig finds them (under .optional()/.default()) to resolve them.
const PATH_SCHEMAS = new WeakSet<z.ZodType>();

/**
 * A filesystem path. loadConfig makes it absolute once, at load time: relative to the config file
 * for a value read from REACHMAP_CONFIG, otherwise to the current directory; so a later chdir (as
 * redis-server's own `--dir` does) cannot change what it names.
 */
export const filePath = () => {
  const schema = z.string().min(1, 'expected a path');
  PATH_SCHEMAS.add(schema);
  return schema;
};

/** Whether a field of a config schema was built with `filePath()`, looking through optional/default. */
export function isPathSchema(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  while (current !== undefined) {
    if (PATH_SCHEMAS.has(current)) return true;
    current = (current.def as { innerType?: z.ZodType }).innerType;
  }
  return false;
}

/** `LOG_LEVEL`: one of pino's levels (the rule every process shares, `@reachmap/telemetry/log-policy`). */
export const logLevel = () =>
  z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info');
