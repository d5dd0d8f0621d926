import type { DnsQuery, Observations } from '@reachmap/schema';
import { emptyObservations } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import { expectationsOf } from './expectations.ts';

const INPUT = 'http://site.example/';

function helper(httpRequest: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { control_failure: null, control: { http_request: httpRequest }, ...extra };
}

function systemQuery(hostname: string): DnsQuery {
  return {
    resolver: { kind: 'system', address: null },
    hostname,
    query_type: 'A',
    answers: [],
    rcode: 'NXDOMAIN',
    failure: 'dns_nxdomain_error',
    t0: 0,
    t: 0.01,
  };
}

const none: Observations = emptyObservations();

describe('expectationsOf', () => {
  it('takes the test helper page as the expected page of a web_connectivity input', () => {
    const keys = helper({ status_code: 200, body_length: 5000, title: 'Front page', failure: null });
    expect(expectationsOf('web_connectivity', INPUT, keys, none)).toEqual({
      expected_http: [{ url: INPUT, status: 200, body_length: 5000, title: 'Front page' }],
    });
  });

  it('records a failed helper fetch as a failure, so an unanswered probe means the site is down', () => {
    const keys = helper({ status_code: -1, body_length: -1, failure: 'unknown_error' });
    expect(expectationsOf('web_connectivity', INPUT, keys, none)).toEqual({
      expected_http: [{ url: INPUT, failure: 'unknown_error' }],
    });
  });

  it.each([
    ['the control failed', helper({ status_code: 200 }, { control_failure: 'connection_refused' })],
    ['the probe found the bodies matching', helper({ status_code: 200 }, { body_length_match: true })],
    ['the probe found the titles matching', helper({ status_code: 200 }, { title_match: true })],
    ['no control at all', {}],
  ])('gives no expected page when %s', (_name, keys) => {
    expect(expectationsOf('web_connectivity', INPUT, keys, none)).toEqual({});
  });

  it('knows every name a messenger test resolved with the system resolver', () => {
    const observations = { ...none, dns: [systemQuery('cdn.signal.org'), systemQuery('cdn.signal.org')] };
    expect(expectationsOf('signal', null, {}, observations)).toEqual({ known_hostnames: ['cdn.signal.org'] });
  });

  it('knows no names for tests with user input', () => {
    const observations = { ...none, dns: [systemQuery('site.example')] };
    expect(expectationsOf('web_connectivity', INPUT, {}, observations)).toEqual({});
  });
});
