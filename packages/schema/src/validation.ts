import type { z } from 'zod';
import { AnyMeasurement, type Measurement } from './measurement.ts';

export interface ValidationIssue {
  /** RFC 6901 JSON pointer into the submitted document, e.g. `/observations/tcp/0/port`. */
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export function toJsonPointer(path: readonly PropertyKey[], prefix = ''): string {
  return (
    prefix + path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
  );
}

export function issuesOf(error: z.ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: toJsonPointer(issue.path, prefix), message: issue.message }));
}

/** Validates one submitted measurement of any accepted version and returns the internal form. */
export function validateMeasurement(input: unknown, pointerPrefix = ''): Validated<Measurement> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: pointerPrefix, message: 'expected a measurement object' }] };
  }
  const version = (input as { schema_version?: unknown }).schema_version;
  if (version !== 1) {
    return {
      ok: false,
      issues: [
        {
          path: `${pointerPrefix}/schema_version`,
          message: `unsupported schema_version ${JSON.stringify(version) ?? 'undefined'}; this server accepts 1`,
        },
      ],
    };
  }
  const parsed = AnyMeasurement.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, issues: issuesOf(parsed.error, pointerPrefix) };
}
