import type { ClientLimitsConfig } from './config.ts';
import { TokenBucket } from './token-bucket.ts';

export type ByteGrant = { ok: true } | { ok: false; retryAfterSeconds: number };

interface ClientState {
  connections: number;
  windowStartedAt: number;
  bytesInWindow: number;
  bucket: TokenBucket;
}

/**
 * Per-client-IP limits that keep a public reflector from being used as a free bandwidth source:
 * concurrent connections, bytes per fixed window, and a shared token bucket pacing every stream.
 */
export class ClientLimits {
  readonly #config: ClientLimitsConfig;
  readonly #now: () => number;
  readonly #clients = new Map<string, ClientState>();

  constructor(config: ClientLimitsConfig, now: () => number = Date.now) {
    this.#config = config;
    this.#now = now;
  }

  get maxRequestBytes(): number {
    return this.#config.maxRequestBytes;
  }

  /** Counts a new connection; false when the client already holds the maximum. */
  openConnection(ip: string): boolean {
    const client = this.#client(ip);
    if (client.connections >= this.#config.maxConnectionsPerClient) return false;
    client.connections += 1;
    return true;
  }

  closeConnection(ip: string): void {
    const client = this.#clients.get(ip);
    if (client !== undefined) client.connections = Math.max(0, client.connections - 1);
  }

  /** Charges `bytes` to the client's window, or says when the window resets. */
  charge(ip: string, bytes: number): ByteGrant {
    const client = this.#client(ip);
    const now = this.#now();
    const windowMs = this.#config.windowSeconds * 1000;
    if (now - client.windowStartedAt >= windowMs) {
      client.windowStartedAt = now;
      client.bytesInWindow = 0;
    }
    if (client.bytesInWindow + bytes > this.#config.bytesPerWindow) {
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((client.windowStartedAt + windowMs - now) / 1000)),
      };
    }
    client.bytesInWindow += bytes;
    return { ok: true };
  }

  /** Milliseconds the client must wait before sending or receiving `bytes` more (its rate cap). */
  pace(ip: string, bytes: number): number {
    return this.#client(ip).bucket.take(bytes);
  }

  /** Drops clients with no connection, an expired window and a full bucket; returns how many remain. */
  sweep(): number {
    const now = this.#now();
    for (const [ip, client] of this.#clients) {
      const windowOver = now - client.windowStartedAt >= this.#config.windowSeconds * 1000;
      if (client.connections === 0 && windowOver && client.bucket.isFull()) this.#clients.delete(ip);
    }
    return this.#clients.size;
  }

  #client(ip: string): ClientState {
    let client = this.#clients.get(ip);
    if (client === undefined) {
      client = {
        connections: 0,
        windowStartedAt: this.#now(),
        bytesInWindow: 0,
        bucket: new TokenBucket(this.#config.rateBytesPerSecond, this.#config.burstBytes),
      };
      this.#clients.set(ip, client);
    }
    return client;
  }
}
