import { z } from '@hono/zod-openapi';
import { CountryCode } from '@reachmap/schema';

/** OONI's axes we can answer; `category_code` needs Citizen Lab categories the catalogue does not carry. */
export const OoniAxis = z.enum([
  'measurement_start_day',
  'probe_cc',
  'probe_asn',
  'test_name',
  'domain',
  'input',
]);
export type OoniAxis = z.infer<typeof OoniAxis>;

export const OoniTimeGrain = z.enum(['hour', 'day', 'week', 'month', 'year', 'auto']);
export type OoniTimeGrain = z.infer<typeof OoniTimeGrain>;

/** OONI accepts `YYYY-MM-DD` or a full date-time for `since`/`until`. */
const OoniDate = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
    'expected YYYY-MM-DD or an ISO date-time',
  )
  .transform((text) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text))
  .optional();

/** `AS8402` or `8402`, as OONI accepts both. */
const OoniAsn = z
  .string()
  .regex(/^(AS)?[1-9]\d{0,9}$/i, 'expected an ASN such as AS8402')
  .transform((text) => Number(text.replace(/^AS/i, '')))
  .optional();

export const OoniAggregationQuery = z.object({
  probe_cc: CountryCode.optional(),
  probe_asn: OoniAsn,
  test_name: z.string().max(64).optional(),
  domain: z.string().max(253).optional(),
  input: z.string().max(2000).optional(),
  since: OoniDate,
  until: OoniDate,
  axis_x: OoniAxis.optional(),
  axis_y: OoniAxis.optional(),
  time_grain: OoniTimeGrain.default('day'),
  format: z.enum(['JSON', 'CSV', 'json', 'csv']).default('JSON'),
});
export type OoniAggregationQuery = z.infer<typeof OoniAggregationQuery>;
