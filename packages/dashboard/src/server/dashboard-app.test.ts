import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardAssetsDir } from './assets-dir.ts';
import { createDashboardApp } from './dashboard-app.ts';

describe('createDashboardApp', () => {
  let assetsDir: string;

  beforeAll(() => {
    assetsDir = mkdtempSync(join(tmpdir(), 'reachmap-dashboard-'));
    mkdirSync(join(assetsDir, 'assets'));
    writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>reachmap</title>');
    writeFileSync(join(assetsDir, 'assets', 'app-ABC123.js'), 'console.log(1);');
    writeFileSync(join(assetsDir, 'assets', 'app-ABC123.css'), 'body{margin:0}');
    writeFileSync(join(assetsDir, 'assets', 'app-ABC123.css.gz'), gzipSync('body{margin:0}'));
    writeFileSync(join(assetsDir, 'package.json'), '{"secret":true}');
  });

  afterAll(() => rmSync(assetsDir, { recursive: true, force: true }));

  it('serves the page revalidated on every load, with a same-origin content policy', async () => {
    const response = await createDashboardApp(assetsDir).request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await response.text()).toContain('<title>reachmap</title>');
  });

  it('serves hashed assets as immutable with their content type', async () => {
    const response = await createDashboardApp(assetsDir).request('/assets/app-ABC123.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe('console.log(1);');
  });

  it('sends the gzip twin of an asset only to clients that accept gzip', async () => {
    const app = createDashboardApp(assetsDir);
    const gzipped = await app.request('/assets/app-ABC123.css', {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gzipped.headers.get('vary')).toBe('accept-encoding');
    expect(gzipped.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString()).toBe('body{margin:0}');

    for (const acceptEncoding of ['identity', 'gzip;q=0, br', '']) {
      const plain = await app.request('/assets/app-ABC123.css', {
        headers: { 'accept-encoding': acceptEncoding },
      });
      expect(plain.headers.get('content-encoding'), acceptEncoding).toBeNull();
      expect(plain.headers.get('vary'), acceptEncoding).toBe('accept-encoding');
      expect(await plain.text(), acceptEncoding).toBe('body{margin:0}');
    }
    // An asset without a twin is sent as it is, even to a gzip client.
    const js = await app.request('/assets/app-ABC123.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers.get('content-encoding')).toBeNull();
    expect(await js.text()).toBe('console.log(1);');
    // The twin itself is not addressable.
    expect((await app.request('/assets/app-ABC123.css.gz')).status).toBe(404);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await createDashboardApp(assetsDir).request('/assets/app-ABC123.js', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('15');
    expect(await response.text()).toBe('');
  });

  it('leaves unknown and escaping paths to the host app', async () => {
    const host = new Hono();
    host.route('/', createDashboardApp(assetsDir));
    host.notFound((c) => c.json({ error: 'not_found' }, 404));
    for (const path of [
      '/assets/missing-1.js',
      '/assets/..%2Fpackage.json',
      '/assets/app.exe',
      '/package.json',
    ]) {
      const response = await host.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: 'not_found' });
    }
  });

  it('says how to build the dashboard when dist/ is missing', async () => {
    const response = await createDashboardApp(join(assetsDir, 'nowhere')).request('/');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('pnpm --filter @reachmap/dashboard build');
  });

  it('serves the real build: every asset index.html names is there', async () => {
    const app = createDashboardApp();
    const html = readFileSync(join(dashboardAssetsDir(), 'index.html'), 'utf8');
    // The region geometry is named by a prefix the page completes with the country code.
    const regionsPrefix = /name="reachmap-regions" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(regionsPrefix).toMatch(/^\/assets\/regions-[0-9A-F]{10}-$/);
    const assets = [...html.matchAll(/"(\/assets\/[^"]+)"/g)]
      .map((match) => match[1] ?? '')
      .filter((asset) => asset !== regionsPrefix);
    expect(assets).toHaveLength(3);
    for (const asset of [...assets, `${regionsPrefix}RU.json`]) {
      expect((await app.request(asset)).status, asset).toBe(200);
      const gzipped = await app.request(asset, { headers: { 'accept-encoding': 'gzip' } });
      expect(gzipped.headers.get('content-encoding'), asset).toBe('gzip');
    }
  });
});
