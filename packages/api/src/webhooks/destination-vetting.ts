import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AddressPolicy } from './address-policy.ts';

/** A webhook URL with the one address it may be delivered to, fixed when it was vetted. */
export interface VettedDestination {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type Vetting = { ok: true; destination: VettedDestination } | { ok: false; reason: string };

export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const resolveWithSystem: ResolveHost = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Checks a webhook URL before anything connects: http(s) only, no credentials, and every address the
 * host resolves to must pass the policy (one bad answer refuses it: an attacker controlling DNS could
 * otherwise mix a public and a private answer). The caller connects to the returned address and
 * never resolves again, so a DNS answer that changes in between (rebinding) cannot redirect it.
 */
export async function vetDestination(
  rawUrl: string,
  policy: AddressPolicy,
  resolve: ResolveHost = resolveWithSystem,
): Promise<Vetting> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, reason: 'the URL does not parse' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `scheme ${url.protocol} is not allowed; use http or https` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'credentials in the URL are not allowed; the signature authenticates us' };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let answers: Array<{ address: string; family: number }>;
  if (isIP(host) !== 0) {
    answers = [{ address: host, family: isIP(host) }];
  } else {
    try {
      answers = await resolve(host);
    } catch (error) {
      return {
        ok: false,
        reason: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      };
    }
  }
  if (answers.length === 0) return { ok: false, reason: `${host} has no addresses` };
  for (const answer of answers) {
    const refusal = policy.refusalFor(answer.address);
    if (refusal === null) continue;
    return { ok: false, reason: answer.address === host ? refusal : `${host} resolves to ${refusal}` };
  }
  const [first] = answers;
  if (first === undefined) return { ok: false, reason: `${host} has no addresses` };
  return { ok: true, destination: { url, address: first.address, family: first.family === 6 ? 6 : 4 } };
}
