import { describe, expect, it } from 'vitest';
import { decideRedirect } from './redirect.ts';

const here = new URL('http://web.lab.test/a/b');

describe('decideRedirect', () => {
  it('resolves a relative Location against the current URL', () => {
    expect(decideRedirect(302, '../c', here, 'GET')).toEqual({
      kind: 'follow',
      url: new URL('http://web.lab.test/c'),
      method: 'GET',
      keepBody: false,
    });
  });

  it.each([
    [301, 'POST', 'GET', false],
    [302, 'POST', 'GET', false],
    [303, 'POST', 'GET', false],
    [303, 'HEAD', 'HEAD', false],
    [307, 'POST', 'POST', true],
    [308, 'POST', 'POST', true],
    [302, 'HEAD', 'HEAD', false],
  ] as const)('%i after %s continues as %s', (status, method, nextMethod, keepBody) => {
    expect(decideRedirect(status, '/next', here, method)).toMatchObject({
      kind: 'follow',
      method: nextMethod,
      keepBody,
    });
  });

  it('does not follow non-redirect statuses or a 3xx without Location', () => {
    expect(decideRedirect(200, '/next', here, 'GET')).toEqual({ kind: 'none' });
    expect(decideRedirect(304, '/next', here, 'GET')).toEqual({ kind: 'none' });
    expect(decideRedirect(302, undefined, here, 'GET')).toEqual({ kind: 'none' });
  });

  it('flags a Location that leaves http(s) or does not parse', () => {
    expect(decideRedirect(302, 'ftp://web.lab.test/', here, 'GET')).toEqual({ kind: 'invalid' });
    expect(decideRedirect(302, 'http://[bad', here, 'GET')).toEqual({ kind: 'invalid' });
  });
});
