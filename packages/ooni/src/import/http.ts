import { createHash } from 'node:crypto';
import { matchBlockpage } from '@reachmap/probes';
import { HttpExchange } from '@reachmap/schema';
import type { OoniHttpTransaction, OoniMaybeBinary } from '../ooni-format.ts';
import { ResponseExtension } from '../reachmap-extension.ts';
import { ooniFailure } from './failure.ts';
import { timingOf } from './timing.ts';
import { validEntry } from './valid-entry.ts';

const METHODS = new Set(['GET', 'POST', 'HEAD']);
const MAX_HOP = 20;
const MAX_TITLE = 500;

function headersOf(
  headers: Record<string, unknown> | null | undefined,
  maxValue: number,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string' && name.length <= 64) flat[name] = value.slice(0, maxValue);
  }
  return flat;
}

function bodyBytes(body: OoniMaybeBinary | null | undefined): Buffer | null {
  if (body === null || body === undefined) return null;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.data, 'base64');
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  apos: "'",
};

export function htmlTitle(body: Buffer | null): string | null {
  const match = body === null ? null : /<title[^>]*>([^<]*)<\/title>/i.exec(body.toString('utf8'));
  if (!match?.[1]) return null;
  const title = match[1].replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => ENTITIES[name] ?? '');
  return title.replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE) || null;
}

function responseOf(transaction: OoniHttpTransaction): HttpExchange['response'] {
  const { response } = transaction;
  const status = response?.code ?? 0;
  // OONI records `code: 0` (or no response object) when no response arrived.
  if (response === null || response === undefined || status < 100 || status > 599) return null;
  const extension = ResponseExtension.safeParse(response);
  const extra = extension.success ? extension.data : {};
  const bytes = bodyBytes(response.body);
  const truncated = response.body_is_truncated === true;
  const headers = headersOf(response.headers, 2000);
  const title = extra.x_title !== undefined ? extra.x_title : htmlTitle(bytes);
  // OONI's probes record the page, not a fingerprint match (its pipeline matches later): match ours.
  const location = Object.entries(headers).find(([name]) => name.toLowerCase() === 'location')?.[1] ?? null;
  const blockpage =
    extra.x_blockpage ?? matchBlockpage({ title, body: bytes?.toString('utf8') ?? null, location });
  return {
    status,
    headers,
    body_length: extra.x_body_length ?? bytes?.length ?? 0,
    body_truncated: truncated,
    body_sha256:
      extra.x_body_sha256 !== undefined
        ? extra.x_body_sha256
        : bytes === null || truncated
          ? null
          : createHash('sha256').update(bytes).digest('hex'),
    title,
    blockpage,
  };
}

function mapExchange(transaction: OoniHttpTransaction, hop: number): HttpExchange | string {
  const method = (transaction.request.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) return `unsupported HTTP method "${method}"`;
  return {
    hop,
    request: {
      method: method as HttpExchange['request']['method'],
      url: transaction.request.url,
      headers: headersOf(transaction.request.headers, 1000),
    },
    response: responseOf(transaction),
    failure: ooniFailure(transaction.failure),
    ...timingOf(transaction),
  };
}

function redirectsTo(previous: HttpExchange, next: OoniHttpTransaction): boolean {
  const response = previous.response;
  if (response === null || response.status < 300 || response.status > 399) return false;
  const location = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'location')?.[1];
  if (location === undefined) return true;
  if (!URL.canParse(location, previous.request.url) || !URL.canParse(next.request.url)) return false;
  return new URL(location, previous.request.url).href === new URL(next.request.url).href;
}

export interface IndexedTransaction {
  index: number;
  transaction: OoniHttpTransaction;
}

/**
 * df-001 lists requests newest first: a redirect chain appears reversed, its last hop before its
 * first. Walking the list backwards, a request continues the current chain when the chain's last
 * response redirected to it (3xx with a matching Location); otherwise it starts a chain at hop 0.
 */
export function mapHttpTransactions(
  transactions: readonly IndexedTransaction[],
  drop: (index: number, reason: string) => void,
  checkEntries = true,
): HttpExchange[] {
  const exchanges: HttpExchange[] = [];
  let last: HttpExchange | null = null;
  for (const { index, transaction } of [...transactions].reverse()) {
    const hop: number =
      last !== null && last.hop < MAX_HOP && redirectsTo(last, transaction) ? last.hop + 1 : 0;
    const mappedExchange = mapExchange(transaction, hop);
    const exchange: HttpExchange | string = checkEntries
      ? validEntry(HttpExchange, mappedExchange)
      : mappedExchange;
    if (typeof exchange === 'string') {
      drop(index, exchange);
      continue;
    }
    exchanges.push(exchange);
    last = exchange;
  }
  return exchanges;
}
