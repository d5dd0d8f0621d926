import { z } from '@hono/zod-openapi';
import { MeasurementSource } from '@reachmap/schema';

/** `format=csv` (or `Accept: text/csv`) turns any list into CSV (docs/api.md). */
export const FormatParam = z
  .enum(['json', 'csv'])
  .optional()
  .openapi({ description: 'json (default) or csv' });

/** `source=agent,ooni`: which measurement sources to include; all by default. */
export const SourcesParam = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text === '') return undefined;
    const sources = text.split(',').map((part) => part.trim());
    const parsed = z.array(MeasurementSource).safeParse(sources);
    if (!parsed.success) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a comma-separated list of ${MeasurementSource.options.join(', ')}`,
      });
      return z.NEVER;
    }
    return parsed.data;
  })
  .openapi({
    type: 'string',
    description: 'Comma-separated sources: agent, ooni, simulated',
    example: 'agent,ooni',
  });

/** An ISO 8601 instant in a query string, as epoch milliseconds. */
export const InstantParam = z.iso
  .datetime({ offset: true, message: 'expected an ISO 8601 date-time such as 2026-05-01T12:00:00Z' })
  .transform((text) => Date.parse(text))
  // Rollup buckets start at the epoch; an earlier instant has nothing to read and broke bucketing.
  .refine((ms) => ms >= 0, 'expected a date-time from 1970-01-01 on')
  .optional()
  .openapi({ type: 'string', format: 'date-time' });
