import { z } from 'zod';

const Count = z.number().int().min(0);

/**
 * One row of OONI's `/api/v1/aggregation`: the counts, plus one key per requested axis
 * (`measurement_start_day`, `probe_cc`, `probe_asn`, `test_name`, `input`, `domain`...).
 */
export const OoniAggregationRow = z.looseObject({
  anomaly_count: Count,
  confirmed_count: Count,
  failure_count: Count,
  ok_count: Count,
  measurement_count: Count,
  measurement_start_day: z.string().optional(),
  probe_cc: z.string().optional(),
  probe_asn: z.union([z.number().int(), z.string()]).optional(),
  test_name: z.string().optional(),
  input: z.string().nullable().optional(),
  domain: z.string().nullable().optional(),
});
export type OoniAggregationRow = z.infer<typeof OoniAggregationRow>;

/** The body of `GET /api/v1/aggregation`, as OONI's API returns it (shape taken from recorded responses). */
export const OoniAggregationResponse = z.looseObject({
  v: z.number().int(),
  dimension_count: z.number().int().min(0).max(2),
  db_stats: z
    .looseObject({
      row_count: Count,
      bytes: Count,
      total_row_count: Count,
      elapsed_seconds: z.number().min(0),
    })
    .optional(),
  /** A list of rows when grouped by one or two axes; a single row when no axis is requested. */
  result: z.union([z.array(OoniAggregationRow), OoniAggregationRow]),
});
export type OoniAggregationResponse = z.infer<typeof OoniAggregationResponse>;
