import { watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AgentNetwork } from '@reachmap/schema';
import maxmind, { Reader, type Response } from 'maxmind';
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

/** Called when a replaced database file cannot be read; the lookup keeps answering from the old one. */
export type GeoIpReloadError = (path: string, error: Error) => void;

/** How often a database file is checked for replacement (Node's `watchFile` default, as maxmind's own). */
const RELOAD_CHECK_MS = 5_007;

/**
 * Opens one or more MMDB files (GeoLite2/DB-IP Country and ASN databases are separate files, or one
 * combined file) and answers from all of them: the first file that knows a field wins. A file
 * replaced on disk is read again (checked every ~5 s), so a monthly database update needs no restart;
 * the watch does not keep the process alive.
 */
export async function openGeoIpDatabases(
  paths: readonly string[],
  onReloadError: GeoIpReloadError = () => {},
): Promise<GeoIpLookup> {
  const readers = await Promise.all(paths.map((path) => watchedDatabase(path, onReloadError)));
  return (address) => {
    const plain = unmappedAddress(address);
    let country: string | null = null;
    let region: string | null = null;
    let asn: number | null = null;
    for (const current of readers) {
      let record: GeoRecord | null;
      try {
        record = current().get(plain);
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

/**
 * One database, read again when its file changes. maxmind's own watch reloads inside the watcher and
 * rejects unhandled when the file is mid-write (a copy in place, not a rename): the collector's tests
 * caught "Unknown type NaN at offset 0" from it on 2026-12-05, and an unhandled rejection ends a Node
 * process. Here a file that does not parse leaves the old database answering, and the next change is
 * tried again.
 */
async function watchedDatabase(path: string, onReloadError: GeoIpReloadError) {
  let reader = await maxmind.open<GeoRecord & Response>(path);
  watchFile(path, { persistent: false, interval: RELOAD_CHECK_MS }, (now, before) => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    readFile(path)
      .then((bytes) => {
        reader = new Reader<GeoRecord & Response>(bytes);
      })
      .catch((error: unknown) =>
        onReloadError(path, error instanceof Error ? error : new Error(String(error))),
      );
  });
  return () => reader;
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
