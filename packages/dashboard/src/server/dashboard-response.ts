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

interface FileServing {
  contentType: string;
  cacheControl: string;
  head: boolean;
  /**
   * `accepted`: send `<path>.gz` with `content-encoding: gzip` when it exists (the build writes it for
   * assets); `refused`: the client does not take gzip; `never`: the file has no gzip twin to offer.
   */
  gzip: 'accepted' | 'refused' | 'never';
}

async function readIfPresent(path: string): Promise<Buffer<ArrayBuffer> | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function fileResponse(path: string, serving: FileServing): Promise<Response | null> {
  const gzipped = serving.gzip === 'accepted' ? await readIfPresent(`${path}.gz`) : null;
  const body = gzipped ?? (await readIfPresent(path));
  if (body === null) return null;
  return new Response(serving.head ? null : body, {
    headers: {
      'content-type': serving.contentType,
      'content-length': String(body.byteLength),
      'cache-control': serving.cacheControl,
      // A cache in between must not hand the gzip body to a client that did not ask for it.
      ...(serving.gzip === 'never' ? {} : { vary: 'accept-encoding' }),
      ...(gzipped === null ? {} : { 'content-encoding': 'gzip' }),
      ...SECURITY_HEADERS,
    },
  });
}

/** Whether the client takes gzip (`Accept-Encoding: gzip, br` yes; absent or `gzip;q=0` no). */
function acceptsGzip(request: Request): boolean {
  const header = request.headers.get('accept-encoding') ?? '';
  return header.split(',').some((coding) => {
    const [name, ...parameters] = coding.trim().split(';');
    const quality = parameters.find((parameter) => parameter.trim().startsWith('q='));
    return (
      name?.trim().toLowerCase() === 'gzip' && (quality === undefined || Number(quality.trim().slice(2)) > 0)
    );
  });
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
    const page = await fileResponse(join(assetsDir, 'index.html'), {
      contentType: CONTENT_TYPES['.html'] ?? '',
      cacheControl: REVALIDATE,
      head,
      gzip: 'never',
    });
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
  return await fileResponse(join(assetsDir, 'assets', name), {
    contentType,
    cacheControl: IMMUTABLE,
    head,
    gzip: acceptsGzip(request) ? 'accepted' : 'refused',
  });
}
