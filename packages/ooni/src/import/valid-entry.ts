import type { z } from 'zod';

/**
 * Checks one mapped observation against our schema, so a single odd entry (a bogus IP, an overlong
 * header) is dropped with a reason instead of sinking the whole measurement.
 */
export function validEntry<T>(schema: z.ZodType<T>, mapped: T | string): T | string {
  if (typeof mapped === 'string') return mapped;
  const parsed = schema.safeParse(mapped);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`;
}

/** The same signature without the check: the caller validates the whole measurement instead. */
export function uncheckedEntry<T>(_schema: z.ZodType<T>, mapped: T | string): T | string {
  return mapped;
}
