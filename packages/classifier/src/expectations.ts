import { z } from 'zod';

/** What a successful fetch of one URL of the target looks like, from the catalogue. */
export const ExpectedHttp = z.object({
  /** The URL as first requested (hop 0); redirects that follow belong to the same expectation. */
  url: z.url().max(2000),
  status: z.number().int().min(100).max(599).optional(),
  title: z.string().max(500).optional(),
  /** Body length in bytes of the real page, for OONI's body-length ratio. */
  body_length: z.number().int().min(0).optional(),
  /**
   * The same URL fetched from outside the tested network at the same time failed too (OONI
   * web_connectivity's test helper): the site is down, so an unanswered request proves no censor.
   */
  failure: z.string().min(1).max(200).optional(),
});
export type ExpectedHttp = z.infer<typeof ExpectedHttp>;

/**
 * What the catalogue knows about a target, so the classifier can tell a lie from a real answer. Round
 * controls measure other hosts, so they cannot say what this target's page or addresses should be.
 */
export const TargetExpectations = z.object({
  /** Prefixes the target's addresses live in; a system-resolver answer outside them is suspicious. */
  known_prefixes: z
    .array(z.union([z.cidrv4(), z.cidrv6()]))
    .max(1000)
    .optional(),
  expected_http: z.array(ExpectedHttp).max(50).optional(),
  /**
   * Names known to exist (a service's published endpoints, fixed in its clients): a system-resolver
   * NXDOMAIN for one of them is a removal even when no control resolver asked for the same name.
   */
  known_hostnames: z.array(z.string().min(1).max(253)).max(200).optional(),
});
export type TargetExpectations = z.infer<typeof TargetExpectations>;
