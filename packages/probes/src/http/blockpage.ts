import { isIP } from 'node:net';
import { z } from 'zod';
import fingerprintData from '../../data/blockpages.json' with { type: 'json' };

const Pattern = z
  .string()
  .min(1)
  .max(1000)
  .refine((source) => {
    try {
      new RegExp(source, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression');

/**
 * A known blockpage. Patterns are regular expressions; any one matching (title, body, Location
 * header, or the connected address being a stub IP) identifies the page. reachmap's own set: each
 * entry cites the public report, article or published measurement its text or address comes from.
 */
export const BlockpageFingerprint = z.object({
  id: z.string().min(1).max(100),
  /** ISO 3166-1 alpha-2; ZZ for the lab. */
  country: z.string().regex(/^[A-Z]{2}$/),
  /** Where the page's text or address is documented in public (a URL, a paper, a published measurement). */
  source: z.string().min(1).max(500),
  description: z.string().max(500),
  title_patterns: z.array(Pattern),
  body_patterns: z.array(Pattern),
  location_patterns: z.array(Pattern),
  stub_ips: z.array(z.string().refine((ip) => isIP(ip) !== 0, 'expected an IP address')),
});
export type BlockpageFingerprint = z.infer<typeof BlockpageFingerprint>;

export const BlockpageFingerprints = z.array(BlockpageFingerprint).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const [index, fingerprint] of list.entries()) {
    if (seen.has(fingerprint.id))
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: 'duplicate id' });
    seen.add(fingerprint.id);
  }
});

/** The fingerprints shipped in `data/blockpages.json`, validated at load. */
export const BLOCKPAGE_FINGERPRINTS: readonly BlockpageFingerprint[] =
  BlockpageFingerprints.parse(fingerprintData);

/** What a response shows that a fingerprint can match. */
export interface BlockpageEvidence {
  title?: string | null;
  body?: string | null;
  location?: string | null;
  /** The address the response came from (or a DNS answer being checked against stub IPs). */
  ip?: string | null;
}

interface CompiledFingerprint {
  id: string;
  title: RegExp[];
  body: RegExp[];
  location: RegExp[];
  stubIps: ReadonlySet<string>;
}

const compiled = new WeakMap<readonly BlockpageFingerprint[], CompiledFingerprint[]>();

function compile(fingerprints: readonly BlockpageFingerprint[]): CompiledFingerprint[] {
  const cached = compiled.get(fingerprints);
  if (cached) return cached;
  const toRegExps = (patterns: string[]) => patterns.map((source) => new RegExp(source, 'iu'));
  const result = fingerprints.map((fingerprint) => ({
    id: fingerprint.id,
    title: toRegExps(fingerprint.title_patterns),
    body: toRegExps(fingerprint.body_patterns),
    location: toRegExps(fingerprint.location_patterns),
    stubIps: new Set(fingerprint.stub_ips),
  }));
  compiled.set(fingerprints, result);
  return result;
}

const matchesAny = (patterns: RegExp[], text: string | null | undefined) =>
  text != null && patterns.some((pattern) => pattern.test(text));

/** The id of the first fingerprint the evidence matches, or null. */
export function matchBlockpage(
  evidence: BlockpageEvidence,
  fingerprints: readonly BlockpageFingerprint[] = BLOCKPAGE_FINGERPRINTS,
): string | null {
  for (const fingerprint of compile(fingerprints)) {
    if (
      matchesAny(fingerprint.title, evidence.title) ||
      matchesAny(fingerprint.body, evidence.body) ||
      matchesAny(fingerprint.location, evidence.location) ||
      (evidence.ip != null && fingerprint.stubIps.has(evidence.ip))
    ) {
      return fingerprint.id;
    }
  }
  return null;
}
