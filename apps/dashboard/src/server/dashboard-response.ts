import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dashboardAssetsDir } from './assets-dir.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

// Asset names carry a content hash (src/build/build-dashboard.ts), so a year of caching is safe; the
// page itself is revalidated on every load so a deploy is picked up at once.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

// One path segment of letters, digits, `-`, `_` and one extension: no way out of dist/assets.
const ASSET_NAME = /^[A-Za-z0-9_-]+\.(js|css|json)$/;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Everything the page needs comes from its own origin (no CDN, no external fonts).
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

async function fileResponse(path: string, contentType: string, cacheControl: string, head: boolean) {
  try {
    const body = await readFile(path);
    return new Response(head ? null : body, {
      headers: {
        'content-type': contentType,
        'content-length': String(body.byteLength),
        'cache-control': cacheControl,
        ...SECURITY_HEADERS,
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The dashboard's response to a GET or HEAD of `/` or `/assets/<name>`, or null when the path is not
 * the dashboard's (so the caller can fall through to its own routes or a 404). A missing build answers
 * 503 with the command that makes it.
 */
export async function dashboardResponse(
  request: Request,
  assetsDir = dashboardAssetsDir(),
): Promise<Response | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  const head = request.method === 'HEAD';
  const { pathname } = new URL(request.url);
  if (pathname === '/' || pathname === '/index.html') {
    const page = await fileResponse(
      join(assetsDir, 'index.html'),
      CONTENT_TYPES['.html'] ?? '',
      REVALIDATE,
      head,
    );
    return (
      page ??
      new Response('The dashboard is not built: run `pnpm --filter @reachmap/dashboard build`.\n', {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      })
    );
  }
  if (!pathname.startsWith('/assets/')) return null;
  const name = pathname.slice('/assets/'.length);
  if (!ASSET_NAME.test(name)) return null;
  const contentType = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
  return await fileResponse(join(assetsDir, 'assets', name), contentType, IMMUTABLE, head);
}
