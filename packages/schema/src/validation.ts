import type { z } from 'zod';
import { type Measurement, ScreenedMeasurementV1 } from './measurement.ts';
import { OBSERVATION_LAYERS } from './observations.ts';

export interface ValidationIssue {
  /** RFC 6901 JSON pointer into the submitted document, e.g. `/observations/tcp/0/port`. */
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * Issues reported per rejected item. An agent needs the first few to fix its encoder; listing every
 * one let 6 KB of gzip ask for a 50 MB answer.
 */
export const MAX_ISSUES_PER_ITEM = 5;

/** A measurement's JSON above this is refused before the schema walks it (the agent's largest is ~300 KB). */
export const MAX_MEASUREMENT_BYTES = 512 * 1024;

export function toJsonPointer(path: readonly PropertyKey[], prefix = ''): string {
  return (
    prefix + path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
  );
}

function omittedNote(path: string, omitted: number): ValidationIssue {
  return { path, message: `${omitted} more issues not listed; fix the ones above first` };
}

/** The first `limit` issues, and one more line at `path` saying how many were left out. */
export function capIssues(
  issues: readonly ValidationIssue[],
  limit: number,
  path: string,
): ValidationIssue[] {
  if (issues.length <= limit) return [...issues];
  return [...issues.slice(0, limit), omittedNote(path, issues.length - limit)];
}

export function issuesOf(error: z.ZodError, prefix = '', limit = MAX_ISSUES_PER_ITEM): ValidationIssue[] {
  const listed = error.issues
    .slice(0, limit)
    .map((issue) => ({ path: toJsonPointer(issue.path, prefix), message: issue.message }));
  const omitted = error.issues.length - listed.length;
  return omitted > 0 ? [...listed, omittedNote(prefix, omitted)] : listed;
}

/**
 * Parses observation entries one by one and stops after the first few bad ones. Parsing a whole
 * hostile item costs ~100x more than its first issues (zod builds every issue of every entry), so
 * bad items are answered from this screen. Good entries are kept as parsed: the rest of the item is
 * then checked without parsing them again (`ScreenedMeasurementV1`).
 */
function screenObservations(
  observations: unknown,
  prefix: string,
): { issues: ValidationIssue[]; parsed: Record<string, unknown[]> } {
  const issues: ValidationIssue[] = [];
  const parsed: Record<string, unknown[]> = {};
  if (typeof observations !== 'object' || observations === null) return { issues, parsed };
  for (const [key, { entry, max }] of Object.entries(OBSERVATION_LAYERS)) {
    const entries = (observations as Record<string, unknown>)[key];
    if (!Array.isArray(entries)) continue;
    const path = `${prefix}/observations/${key}`;
    if (entries.length > max) {
      issues.push({ path, message: `${entries.length} entries; at most ${max}` });
      continue;
    }
    const layer: unknown[] = [];
    for (const [index, item] of entries.entries()) {
      if (issues.length > MAX_ISSUES_PER_ITEM) return { issues, parsed };
      const result = entry.safeParse(item);
      if (result.success) layer.push(result.data);
      else issues.push(...issuesOf(result.error, `${path}/${index}`));
    }
    parsed[key] = layer;
  }
  return { issues, parsed };
}

/** Validates one submitted measurement of any accepted version and returns the internal form. */
export function validateMeasurement(input: unknown, pointerPrefix = ''): Validated<Measurement> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: pointerPrefix, message: 'expected a measurement object' }] };
  }
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes > MAX_MEASUREMENT_BYTES) {
    return {
      ok: false,
      issues: [
        {
          path: pointerPrefix,
          message: `measurement is ${bytes} bytes of JSON; at most ${MAX_MEASUREMENT_BYTES}`,
        },
      ],
    };
  }
  const version = (input as { schema_version?: unknown }).schema_version;
  if (version !== 1) {
    return {
      ok: false,
      issues: [
        {
          path: `${pointerPrefix}/schema_version`,
          message: `unsupported schema_version ${JSON.stringify(version)?.slice(0, 40) ?? 'undefined'}; this server accepts 1`,
        },
      ],
    };
  }
  const screened = screenObservations((input as { observations?: unknown }).observations, pointerPrefix);
  if (screened.issues.length > 0)
    return { ok: false, issues: capIssues(screened.issues, MAX_ISSUES_PER_ITEM, pointerPrefix) };
  // v1 is the only accepted version (checked above); a v2 gets its screened form and upgrade here.
  const parsed = ScreenedMeasurementV1.safeParse(input);
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error, pointerPrefix) };
  const observations = Object.fromEntries(
    Object.keys(OBSERVATION_LAYERS).map((key) => [key, screened.parsed[key] ?? []]),
  ) as Measurement['observations'];
  return { ok: true, value: { ...parsed.data, observations } };
}
