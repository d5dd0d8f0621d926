import { describe, expect, it } from 'vitest';
import { fastpathFlags, type ScoredMeasurement } from './fastpath-score.ts';

const base = { measurement_start_time: '2022-11-10 10:00:00', test_version: '0.2.2' };
const flags = (
  test_name: string,
  test_keys: ScoredMeasurement['test_keys'],
  extra: Partial<ScoredMeasurement> = {},
) => fastpathFlags({ ...base, test_name, test_keys, ...extra });

const request = (url: string, failure: string | null = null) => ({ request: { url }, failure });
const connect = (success: boolean) => ({ status: { success } });

describe('fastpath scoring rules', () => {
  it('whatsapp: requests decide, the status keys do not; no endpoint result discards', () => {
    const requests = [request('https://web.whatsapp.com/'), request('https://v.whatsapp.net/v2/register')];
    expect(
      flags('whatsapp', { requests, whatsapp_web_status: 'blocked', tcp_connect: [connect(true)] }),
    ).toMatchObject({
      anomaly: false,
      failure: false,
    });
    expect(
      flags('whatsapp', {
        requests: [requests[0], request('https://v.whatsapp.net/v2/register', 'eof_error')],
        tcp_connect: [connect(true)],
      }),
    ).toMatchObject({ anomaly: true });
    expect(flags('whatsapp', { requests, tcp_connect: [connect(false)] })).toMatchObject({ anomaly: true });
    expect(flags('whatsapp', { requests, tcp_connect: [] })).toMatchObject({ failure: true });
    expect(flags('whatsapp', { requests: [] })).toMatchObject({ failure: true, anomaly: false });
  });

  it('telegram: failed shares plus one for a blocked web status; a request without a URL discards', () => {
    const dc = (failure: string | null) => request('http://149.154.175.50/', failure);
    expect(flags('telegram', { requests: [dc(null)], tcp_connect: [connect(true)] })).toMatchObject({
      anomaly: false,
    });
    expect(
      flags('telegram', {
        requests: [dc(null)],
        tcp_connect: [connect(true)],
        telegram_web_status: 'blocked',
      }),
    ).toMatchObject({ anomaly: true });
    // 1/2 failed connects + 1/2 failed requests = 1.0 > 0.5
    expect(
      flags('telegram', {
        requests: [dc(null), dc('eof_error')],
        tcp_connect: [connect(true), connect(false)],
      }),
    ).toMatchObject({ anomaly: true });
    expect(flags('telegram', { requests: [{ request: {}, failure: null }] })).toMatchObject({
      failure: true,
    });
  });

  it('signal: discards broken test versions and engines by date, blocked status is an anomaly', () => {
    const ok = { failed_operation: null, failure: null, signal_backend_status: 'blocked' };
    expect(flags('signal', ok, { annotations: { engine_version: '3.16.0' } })).toMatchObject({
      anomaly: true,
      failure: false,
    });
    expect(flags('signal', ok, { test_version: '0.2.4' })).toMatchObject({ failure: true });
    expect(flags('signal', ok, { test_version: '0.2.1' })).toMatchObject({ failure: true });
    expect(
      flags('signal', ok, { test_version: '0.2.1', measurement_start_time: '2022-10-18 23:00:00' }),
    ).toMatchObject({
      failure: false,
    });
    expect(
      flags('signal', ok, {
        measurement_start_time: '2023-06-01 00:00:00',
        annotations: { engine_version: '3.17.1' },
      }),
    ).toMatchObject({ failure: true });
    expect(flags('signal', { signal_backend_status: 'ok' })).toMatchObject({ failure: true });
  });

  it('facebook_messenger: one inconsistent key is not yet an anomaly, two are', () => {
    expect(flags('facebook_messenger', { facebook_dns_blocking: true })).toMatchObject({ anomaly: false });
    expect(
      flags('facebook_messenger', { facebook_dns_blocking: true, facebook_edge_dns_consistent: false }),
    ).toMatchObject({ anomaly: true });
  });

  it('web_connectivity: blocking types, null blocking and probe errors', () => {
    expect(flags('web_connectivity', { blocking: 'dns', accessible: false })).toEqual({
      anomaly: true,
      confirmed: null,
      failure: false,
    });
    expect(flags('web_connectivity', { blocking: null, accessible: null })).toMatchObject({ failure: true });
    expect(
      flags('web_connectivity', {
        blocking: 'http-failure',
        http_experiment_failure: "unknown_failure 'ascii' codec",
      }),
    ).toMatchObject({ anomaly: true, failure: true });
    expect(flags('web_connectivity', null)).toMatchObject({ failure: true });
    expect(
      flags('web_connectivity', {
        blocking: false,
        requests: [{ request: { url: 'http://a/' }, response: { body: { format: 'base64', data: 'abc' } } }],
      }),
    ).toMatchObject({ failure: true });
  });
});
