import { describe, expect, it } from 'vitest';
import { AddressPolicy, InvalidCidrError, parseCidrList } from './address-policy.ts';
import { type ResolveHost, vetDestination } from './destination-vetting.ts';

const noAllowlist = new AddressPolicy();

/** A resolver that must not be reached: IP literals are judged without DNS. */
const noDns: ResolveHost = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};

describe('the SSRF guard', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.1/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://224.0.0.1/hook',
    'http://[::1]/hook',
    'http://[fc00::1]/hook',
    'http://[fe80::1]/hook',
    'http://[::]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:a9fe:a9fe]/hook',
  ])('refuses %s without connecting or resolving', async (url) => {
    const vetting = await vetDestination(url, noAllowlist, noDns);
    expect(vetting.ok).toBe(false);
  });

  it('refuses a name that resolves to loopback (localhost, from the hosts file)', async () => {
    const vetting = await vetDestination('http://localhost:9/hook', noAllowlist);
    expect(vetting).toEqual({ ok: false, reason: expect.stringContaining('loopback') });
  });

  it('refuses a name when any of its answers is private, even beside a public one', async () => {
    const mixed: ResolveHost = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.1.2.3', family: 4 },
    ];
    expect((await vetDestination('https://hooks.example/x', noAllowlist, mixed)).ok).toBe(false);
  });

  it('pins a public name to the address it vetted', async () => {
    const publicAnswer: ResolveHost = async () => [{ address: '93.184.216.34', family: 4 }];
    const vetting = await vetDestination('https://hooks.example/x', noAllowlist, publicAnswer);
    expect(vetting).toMatchObject({ ok: true, destination: { address: '93.184.216.34', family: 4 } });
  });

  it.each([
    ['ftp://93.184.216.34/x', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['http://user:pass@93.184.216.34/x', 'credentials'],
    ['not a url', 'parse'],
  ])('refuses %s (%s)', async (url, why) => {
    const vetting = await vetDestination(url, noAllowlist, noDns);
    expect(vetting).toEqual({ ok: false, reason: expect.stringContaining(why) });
  });

  it('lets the operator allowlist loopback explicitly, and only what is listed', async () => {
    const loopback = new AddressPolicy(parseCidrList('127.0.0.0/8, ::1/128'));
    expect((await vetDestination('http://127.0.0.1:8080/x', loopback, noDns)).ok).toBe(true);
    expect((await vetDestination('http://[::1]:8080/x', loopback, noDns)).ok).toBe(true);
    expect((await vetDestination('http://[::ffff:127.0.0.1]/x', loopback, noDns)).ok).toBe(true);
    expect((await vetDestination('http://10.0.0.1/x', loopback, noDns)).ok).toBe(false);
    expect((await vetDestination('http://169.254.169.254/x', loopback, noDns)).ok).toBe(false);
  });

  it('rejects malformed allowlist entries', () => {
    expect(() => parseCidrList('127.0.0.0/33')).toThrow(InvalidCidrError);
    expect(() => parseCidrList('localhost/8')).toThrow(InvalidCidrError);
    expect(parseCidrList('')).toEqual([]);
  });
});
