import type { Failure } from '@reachmap/schema';

/** The raw reply of one transport-level DNS exchange, before it is decoded. */
export type DnsExchangeResult = { ok: true; message: Buffer } | { ok: false; failure: Failure };
