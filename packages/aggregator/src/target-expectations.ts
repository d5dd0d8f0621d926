import type { TargetExpectations } from '@reachmap/classifier';
import type { Catalogue } from '@reachmap/targets';

/**
 * What the catalogue says each target should look like, for the classifier's DNS-mismatch and
 * http-diff rules: its address space and the status/title of its real pages.
 */
export function expectationsByTarget(catalogue: Catalogue): ReadonlyMap<string, TargetExpectations> {
  return new Map(
    catalogue.targets.map((target) => [
      target.id,
      {
        known_prefixes: target.known_prefixes,
        expected_http: target.suite.http.map((check) => ({
          url: check.url,
          ...(check.expected_status?.[0] === undefined ? {} : { status: check.expected_status[0] }),
          ...(check.expected_title === null ? {} : { title: check.expected_title }),
        })),
      },
    ]),
  );
}
