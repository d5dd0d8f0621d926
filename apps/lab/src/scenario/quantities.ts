import { z } from 'zod';

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
// tc's units: "kbit" is 1000 bit/s (tc(8), "RATES"), which is also how Censored Planet quotes rates.
const RATE_UNITS_BPS = { bit: 1, kbit: 1_000, mbit: 1_000_000, gbit: 1_000_000_000 } as const;
const SIZE_UNITS_BYTES = { b: 1, kib: 1_024, mib: 1_048_576 } as const;

function unitParser<Units extends Record<string, number>>(units: Units) {
  const pattern = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*(${Object.keys(units).join('|')})$`, 'i');
  return (value: string): number | null => {
    const match = pattern.exec(value.trim());
    if (match === null) return null;
    const unit = (match[2] ?? '').toLowerCase() as keyof Units;
    const factor = units[unit];
    return factor === undefined ? null : Math.round(Number(match[1]) * (factor as number));
  };
}

const parseDurationMs = unitParser(DURATION_UNITS_MS);
const parseRateBps = unitParser(RATE_UNITS_BPS);
const parseSizeBytes = unitParser(SIZE_UNITS_BYTES);

/** `90s`, `2m`, `500ms`, `1h` → milliseconds. */
export const Duration = z.string().transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as "90s" or "2m", got "${value}"` });
    return z.NEVER;
  }
  return ms;
});

/** `128kbit`, `2mbit` → bits per second. */
export const Rate = z.string().transform((value, ctx) => {
  const bps = parseRateBps(value);
  if (bps === null || bps <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a rate such as "128kbit" or "2mbit", got "${value}"` });
    return z.NEVER;
  }
  return bps;
});

/** A byte count: an integer, or `16KiB` / `1MiB`. */
export const ByteCount = z.union([
  z.number().int().positive(),
  z.string().transform((value, ctx) => {
    const bytes = parseSizeBytes(value);
    if (bytes === null || bytes <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a byte count such as 16384 or "16KiB", got "${value}"`,
      });
      return z.NEVER;
    }
    return bytes;
  }),
]);

/** A percentage: `5` or `"5%"`, between 0 and 100. */
export const Percent = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?%$/, 'expected a percentage such as "5%"')])
  .transform((value) => (typeof value === 'number' ? value : Number(value.slice(0, -1))))
  .pipe(z.number().min(0).max(100));

/** Milliseconds: `80` or a duration string such as `"80ms"`. */
export const Milliseconds = z.union([z.number().min(0), Duration]);
