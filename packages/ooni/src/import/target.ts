import { createHash } from 'node:crypto';
import type { TargetId } from '@reachmap/schema';
import type { SkipReason } from '../skip-reason.ts';
import { MESSENGER_TARGETS, WEB_CONNECTIVITY } from '../supported-tests.ts';

const MAX_TARGET_ID = 63;

/**
 * A website tested by web_connectivity becomes `web-<host>`: the URL's host without a leading `www.`,
 * lower case, every character outside [a-z0-9] turned into `-` (TargetId allows no dots). A host too
 * long for an id keeps a prefix and a hash suffix so distinct hosts stay distinct.
 */
export function websiteTargetId(host: string): TargetId {
  const slug = host
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const id = `web-${slug}`;
  if (id.length <= MAX_TARGET_ID) return id;
  const suffix = createHash('sha256').update(host).digest('hex').slice(0, 10);
  return `${id.slice(0, MAX_TARGET_ID - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

export interface OoniTarget {
  id: TargetId;
  /** What was measured: the URL for web_connectivity; null for messenger suites that cover many hosts. */
  input: string | null;
  /** The host of a web_connectivity input, which its control DNS answer is about. */
  host: string | null;
}

export function ooniTarget(
  testName: string,
  input: string | null | undefined,
  pointer: string,
): OoniTarget | SkipReason {
  const messenger = MESSENGER_TARGETS.get(testName);
  if (messenger !== undefined) return { id: messenger, input: input || null, host: null };
  if (testName !== WEB_CONNECTIVITY) return { kind: 'unsupported_test', test_name: testName };
  if (!input) return { kind: 'missing_field', path: `${pointer}/input` };
  if (!URL.canParse(input))
    return { kind: 'invalid_field', path: `${pointer}/input`, message: 'expected a URL' };
  const host = new URL(input).hostname.replace(/^\[|\]$/g, '');
  if (host === '') return { kind: 'invalid_field', path: `${pointer}/input`, message: 'the URL has no host' };
  return { id: websiteTargetId(host), input, host };
}
