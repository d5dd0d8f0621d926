import { describe, expect, it } from 'vitest';
import { requestKind } from './request-kind.ts';

describe('requestKind', () => {
  it('tells the region geometry of a country from the world geometry and the bundle', () => {
    const base = 'http://127.0.0.1:8471';
    expect(requestKind(`${base}/assets/regions-0123456789-RU.json`, 'fetch')).toBe('region geometry JSON');
    expect(requestKind(`${base}/assets/countries-0123456789.json`, 'fetch')).toBe('country geometry JSON');
    expect(requestKind(`${base}/assets/app-ABC.js`, 'script')).toBe('app JS');
    expect(requestKind(`${base}/v1/map?target=whatsapp&level=asn&country=RU`, 'fetch')).toBe(
      'GET /v1/map level=asn',
    );
  });
});
