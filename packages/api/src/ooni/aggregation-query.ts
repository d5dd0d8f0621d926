import { z } from '@hono/zod-openapi';
import { CountryCode } from '@reachmap/schema';

/** Every axis OONI's `/api/v1/aggregation` offers. */
export const OoniAxis = z.enum([
  'measurement_start_day',
  'domain',
  'category_code',
  'probe_cc',
  'probe_asn',
  'test_name',
  'blocking_type',
  'input',
]);
export type OoniAxis = z.infer<typeof OoniAxis>;

export const OoniTimeGrain = z.enum(['hour', 'day', 'week', 'month', 'year', 'auto']);
export type OoniTimeGrain = z.infer<typeof OoniTimeGrain>;

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * OONI accepts `YYYY-MM-DD` or a date-time for `since`/`until` (UTC unless an offset is given). A date
 * that does not exist (2026-13-45, 2026-02-30) is refused, not rolled over.
 */
const OoniDate = z
  .string()
  .max(40)
  .transform((text, ctx) => {
    const match = DATE_TIME.exec(text);
    const [, year, month, day, hour = '00', minute = '00', second = '00', zone] = match ?? [];
    const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}${zone === undefined ? 'Z' : zone}`;
    const ms = match === null ? Number.NaN : Date.parse(iso);
    const calendarOk =
      !Number.isNaN(ms) &&
      new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() === Number(day) &&
      Number(hour) < 24 &&
      Number(minute) < 60 &&
      Number(second) < 60;
    if (!calendarOk) {
      ctx.addIssue({ code: 'custom', message: 'expected an existing date, YYYY-MM-DD or an ISO date-time' });
      return z.NEVER;
    }
    return ms;
  })
  .optional();

/** A comma-separated list, as OONI takes for probe_cc, probe_asn, test_name, domain, category_code. */
function commaList<T extends z.ZodType<string | number>>(item: T, max: number) {
  return z
    .string()
    .max(4000)
    .transform((text, ctx) => {
      const values: z.infer<T>[] = [];
      for (const part of text.split(',')) {
        const parsed = item.safeParse(part.trim());
        if (!parsed.success) {
          ctx.addIssue({
            code: 'custom',
            message: `"${part.trim()}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
          });
          return z.NEVER;
        }
        values.push(parsed.data as z.infer<T>);
      }
      if (values.length > max) {
        ctx.addIssue({ code: 'custom', message: `at most ${max} values` });
        return z.NEVER;
      }
      return values;
    })
    .optional();
}

/** `AS8402` or `8402`, as OONI accepts both. */
const Asn = z
  .string()
  .regex(/^(AS)?[1-9]\d{0,9}$/i, 'expected an ASN such as AS8402')
  .transform((text) => Number(text.replace(/^AS/i, '')));

/** OONI's test names; the catalogue's `facebook-messenger` spelling is taken too. */
const TestName = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/i, 'expected a test name such as web_connectivity')
  .transform((text) => text.toLowerCase().replaceAll('-', '_'));

export const OoniAggregationQuery = z.object({
  probe_cc: commaList(CountryCode, 300),
  probe_asn: commaList(Asn, 1000),
  test_name: commaList(TestName, 50),
  domain: commaList(z.string().min(1).max(253), 1000),
  category_code: commaList(z.string().regex(/^[A-Z]{2,8}$/, 'expected a Citizen Lab code such as NEWS'), 50),
  input: z.string().max(2000).optional(),
  since: OoniDate,
  until: OoniDate,
  axis_x: OoniAxis.optional(),
  axis_y: OoniAxis.optional(),
  time_grain: OoniTimeGrain.default('auto'),
  format: z.enum(['JSON', 'CSV', 'json', 'csv']).default('JSON'),
  /** Whose measurements: agents and imports (default), agents only, or imported OONI data only. */
  source: z.enum(['all', 'agent', 'ooni']).default('all'),
  /**
   * Whose verdicts make the counts: reachmap's classifier, or OONI's own flags (imports only). The
   * default is OONI's flags with `source=ooni`, reachmap's otherwise.
   */
  verdicts: z.enum(['reachmap', 'ooni']).optional(),
});
export type OoniAggregationQuery = z.infer<typeof OoniAggregationQuery>;
