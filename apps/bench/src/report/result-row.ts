import { z } from 'zod';

export const BenchSection = z.enum([
  'ingest',
  'ceiling',
  'queries',
  'memory',
  'dashboard',
  'agent',
  'ooni-import',
  'goals',
]);
export type BenchSection = z.infer<typeof BenchSection>;

/**
 * One line of docs/benchmarks.md. `value` is null when the row could not be measured; `note` then
 * says why (the doc prints "not measured: <note>") — a number is never made up.
 */
export const ResultRow = z.object({
  section: BenchSection,
  metric: z.string().min(1),
  value: z.number().finite().nullable(),
  unit: z.string(),
  note: z.string(),
});
export type ResultRow = z.infer<typeof ResultRow>;

export function measured(
  section: BenchSection,
  metric: string,
  value: number,
  unit: string,
  note = '',
): ResultRow {
  if (!Number.isFinite(value)) return notMeasured(section, metric, unit, `no finite value (${value})`);
  return { section, metric, value, unit, note };
}

export function notMeasured(section: BenchSection, metric: string, unit: string, reason: string): ResultRow {
  return { section, metric, value: null, unit, note: reason };
}
