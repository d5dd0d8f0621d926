import type { AgentNetwork } from '@reachmap/schema';
import maxmind, { type Response } from 'maxmind';
import type { ObservedNetwork } from '../agents/agent-store.ts';

/** What a MaxMind-format database says about one address; either half may be unknown. */
export interface GeoIpAnswer {
  country: string | null;
  /** ISO 3166-2 (RU-MOW): a City database's first, largest subdivision; null from Country databases. */
  region: string | null;
  asn: number | null;
}

export type GeoIpLookup = (address: string) => GeoIpAnswer | null;

interface GeoRecord {
  country?: { iso_code?: string };
  subdivisions?: { iso_code?: string }[];
  autonomous_system_number?: number;
}

/**
 * Opens one or more MMDB files (GeoLite2/DB-IP Country and ASN databases are separate files, or one
 * combined file) and answers from all of them: the first file that knows a field wins. The `maxmind`
 * reader reloads a file replaced on disk (checked every ~5 s), so a monthly database update needs no
 * restart; the watch does not keep the process alive.
 */
export async function openGeoIpDatabases(paths: readonly string[]): Promise<GeoIpLookup> {
  const readers = await Promise.all(
    paths.map((path) =>
      maxmind.open<GeoRecord & Response>(path, { watchForUpdates: true, watchForUpdatesNonPersistent: true }),
    ),
  );
  return (address) => {
    const plain = unmappedAddress(address);
    let country: string | null = null;
    let region: string | null = null;
    let asn: number | null = null;
    for (const reader of readers) {
      let record: GeoRecord | null;
      try {
        record = reader.get(plain);
      } catch {
        // An IPv6 address in an IPv4-only database, or an address the reader cannot parse.
        record = null;
      }
      country ??= record?.country?.iso_code ?? null;
      region ??= regionOf(record);
      asn ??= record?.autonomous_system_number ?? null;
    }
    if (region !== null && country !== null && !region.startsWith(`${country}-`)) region = null;
    return country === null && asn === null ? null : { country, region, asn };
  };
}

/** An IPv4 address as Node reports it on a dual-stack socket (`::ffff:a.b.c.d`) → as written. */
export function unmappedAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** GeoIP2/GeoLite2 City records name subdivisions without the country: `MOW` under `RU`. */
function regionOf(record: GeoRecord | null): string | null {
  const country = record?.country?.iso_code;
  const subdivision = record?.subdivisions?.[0]?.iso_code;
  if (country === undefined || subdivision === undefined) return null;
  const region = `${country}-${subdivision}`;
  return /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(region) ? region : null;
}

/** The observation stored beside the declared network; never replaces it, only flags a contradiction. */
export function observeNetwork(
  lookup: GeoIpLookup,
  address: string,
  declared: AgentNetwork,
  now: number,
): ObservedNetwork | null {
  const answer = lookup(address);
  if (answer === null) return null;
  const countryDiffers = answer.country !== null && answer.country !== declared.country;
  const asnDiffers = answer.asn !== null && answer.asn !== declared.asn;
  return {
    address,
    country: answer.country,
    asn: answer.asn,
    mismatch: countryDiffers || asnDiffers,
    observed_at: new Date(now).toISOString(),
  };
}
