import type { ExpectedHttp, TargetExpectations } from '@reachmap/classifier';
import type { Observations } from '@reachmap/schema';
import { z } from 'zod';
import { MESSENGER_TARGETS, WEB_CONNECTIVITY } from '../supported-tests.ts';

/** web_connectivity's test-helper fetch of the input URL (df-000 `test_keys.control.http_request`). */
const HelperFetch = z.object({
  control_failure: z.string().nullish(),
  // The probe's own comparison with the helper's page, made on the whole body.
  body_length_match: z.boolean().nullish(),
  headers_match: z.boolean().nullish(),
  title_match: z.boolean().nullish(),
  control: z.object({
    http_request: z.object({
      status_code: z.number().nullish(),
      body_length: z.number().nullish(),
      title: z.string().nullish(),
      failure: z.string().nullish(),
    }),
  }),
});

type HelperPage = Omit<ExpectedHttp, 'url'>;

function helperPage(testKeys: Record<string, unknown>): HelperPage | null {
  const parsed = HelperFetch.safeParse(testKeys);
  // A failed control (control_failure) says nothing about the site: OONI gives no verdict then either.
  if (!parsed.success || parsed.data.control_failure) return null;
  const { body_length_match, headers_match, title_match } = parsed.data;
  const { status_code, body_length, title, failure } = parsed.data.control.http_request;
  const page: HelperPage = {};
  if (failure) page.failure = failure.slice(0, 200);
  else if (body_length_match === true || headers_match === true || title_match === true) {
    // The probe saw the same page as the helper (OONI's http-diff needs all three to differ). The body
    // recorded here may be cut (probes keep 128 KiB, archives and tests strip it): the probe's own
    // comparison of the whole body is the better witness, so no page difference is left to find.
    return null;
  } else {
    if (typeof status_code === 'number' && status_code >= 100 && status_code <= 599)
      page.status = status_code;
    if (typeof body_length === 'number' && body_length >= 0) page.body_length = body_length;
    if (typeof title === 'string') page.title = title.slice(0, 500);
  }
  return page;
}

/**
 * What the OONI record itself tells about the target, for the classifier (docs/ooni.md):
 * - web_connectivity: the test helper fetched the same URL from outside at the same time, so its
 *   result is the expected page (status, title, body length) or, when it failed too, a site that is down;
 * - the messenger tests have no input: every name they resolve is fixed in the test's code (the
 *   service's published endpoints), so an NXDOMAIN for one of them is a removal.
 */
export function expectationsOf(
  testName: string,
  input: string | null,
  testKeys: Record<string, unknown>,
  observations: Observations,
): TargetExpectations {
  if (testName === WEB_CONNECTIVITY && input !== null) {
    const page = helperPage(testKeys);
    if (page === null) return {};
    // Every request of a web_connectivity measurement fetches the input or where it led (some probe
    // versions record only the https:// retry), so the helper's page is what each chain should show.
    const urls = new Set([input, ...observations.http.filter((x) => x.hop === 0).map((x) => x.request.url)]);
    return {
      expected_http: [...urls]
        .filter((url) => URL.canParse(url))
        .slice(0, 50)
        .map((url) => ({ url, ...page })),
    };
  }
  if (MESSENGER_TARGETS.has(testName)) {
    const names = new Set(
      observations.dns.filter((query) => query.resolver.kind === 'system').map((query) => query.hostname),
    );
    return names.size === 0 ? {} : { known_hostnames: [...names].slice(0, 200) };
  }
  return {};
}
