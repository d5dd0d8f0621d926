import { z } from 'zod';
import { REGION_CODES } from './region-codes.ts';

const TWO_LETTERS = /^[A-Z]{2}$/;

/** ISO 3166-1 alpha-2, upper case and assigned (not `XX`). `ZZ` is OONI's "unknown". */
export const CountryCode = z
  .string()
  .regex(TWO_LETTERS, 'expected an ISO 3166-1 alpha-2 code such as "RU"')
  // The regex issue already covers malformed codes.
  .refine((code) => !TWO_LETTERS.test(code) || REGION_CODES.has(code), {
    message: 'expected an assigned ISO 3166-1 alpha-2 code such as "RU"',
  });
export type CountryCode = z.infer<typeof CountryCode>;

/** ISO 3166-2 subdivision: country code, hyphen, 1-3 alphanumerics (RU-MOW, DE-BE, US-CA, FR-75C). */
export const RegionCode = z
  .string()
  .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, 'expected an ISO 3166-2 code such as "RU-MOW"');
export type RegionCode = z.infer<typeof RegionCode>;

export const Asn = z.number().int().min(1).max(4_294_967_295);
export type Asn = z.infer<typeof Asn>;

export const NetworkType = z.enum(['fixed', 'mobile', 'datacenter', 'unknown']);
export type NetworkType = z.infer<typeof NetworkType>;

/** Where an agent measures from, as the operator declared it at enrolment. */
export const AgentNetwork = z
  .object({
    country: CountryCode,
    region: RegionCode.nullable(),
    asn: Asn,
    network_type: NetworkType,
  })
  .refine((network) => network.region === null || network.region.startsWith(`${network.country}-`), {
    message: 'region must belong to country (e.g. country "RU" with region "RU-MOW")',
    path: ['region'],
  });
export type AgentNetwork = z.infer<typeof AgentNetwork>;
