import type { Socket } from 'node:net';
import type { Failure, ThroughputRun } from '@reachmap/schema';
import { createDeadline } from '../deadline.ts';
import { probeNetworkOf } from '../network/probe-network.ts';
import type { ProbeContext } from '../probe-options.ts';
import { openTcpConnection } from '../tcp/open-connection.ts';
import { startTls } from '../tls/start-tls.ts';
import { driveDownload } from './drive-download.ts';
import { driveUpload } from './drive-upload.ts';
import { createTransferSession, type TransferOutcome } from './transfer-session.ts';

export interface ThroughputTarget {
  ip: string;
  port: number;
  /** TLS with this SNI (null: no SNI), or null for plain TCP. */
  tls: { sni: string | null; ca?: string | string[] } | null;
  sniRole: 'target' | 'control';
  /** Host header; defaults to the SNI, else the IP. */
  host?: string;
  /** Request path, e.g. the reflector's `/download?bytes=N` or `/upload`. */
  path: string;
}

export interface ThroughputLimits {
  direction: 'download' | 'upload';
  /** Download: stop after this many body bytes. Upload: the body size sent. */
  bytes: number;
  /** Default 10 s. */
  maxDurationMs?: number;
  /** Default 5 s: docs/techniques.md's stall threshold ("no bytes for ≥ 5 s"). */
  stallTimeoutMs?: number;
  /** Default 100 ms. */
  sampleIntervalMs?: number;
}

export const DEFAULT_MAX_DURATION_MS = 10_000;
export const DEFAULT_STALL_TIMEOUT_MS = 5_000;
export const DEFAULT_SAMPLE_INTERVAL_MS = 100;

/** `context.timeoutMs` bounds the TCP connect and TLS handshake; the transfer has its own limits. */
export interface ThroughputContext extends ProbeContext {
  /** Fresh-connection index within a suite (0..K-1). */
  connection?: number;
}

function requestHead(target: ThroughputTarget, limits: ThroughputLimits): string {
  const host = target.host ?? target.tls?.sni ?? target.ip;
  const lines =
    limits.direction === 'download'
      ? [`GET ${target.path} HTTP/1.1`, `Host: ${host}`, 'Accept: */*']
      : [
          `POST ${target.path} HTTP/1.1`,
          `Host: ${host}`,
          'Content-Type: application/octet-stream',
          `Content-Length: ${limits.bytes}`,
        ];
  return `${[...lines, 'User-Agent: reachmap-probe', 'Connection: close'].join('\r\n')}\r\n\r\n`;
}

async function connect(
  target: ThroughputTarget,
  context: ThroughputContext,
): Promise<{ ok: true; socket: Socket } | { ok: false; failure: Failure }> {
  const deadline = createDeadline(context.timeoutMs, context.signal);
  const connection = await openTcpConnection(target.ip, target.port, deadline, probeNetworkOf(context));
  if (!connection.ok || target.tls === null) return connection;
  const handshake = await startTls(
    connection.socket,
    { sni: target.tls.sni, alpn: ['http/1.1'], ca: target.tls.ca },
    deadline,
  );
  if (!handshake.ok) connection.socket.destroy();
  return handshake;
}

/** What a run records when its connection or handshake failed: no transfer happened. */
export const NOT_STARTED: Omit<TransferOutcome, 'failure'> = {
  samples: [],
  bytes: 0,
  duration_s: 0,
  ttfb_s: null,
  goodput_bps: 0,
  longest_stall_s: 0,
  bytes_before_stall: null,
};

/**
 * One timed transfer over one fresh connection (plain TCP or TLS with the given SNI), HTTP/1.1
 * GET for downloads and POST for uploads, recorded as a `ThroughputRun`. Never throws for a network
 * failure; a connect or handshake failure yields a run with no samples and that failure.
 */
export async function probeThroughput(
  target: ThroughputTarget,
  limits: ThroughputLimits,
  context: ThroughputContext,
): Promise<ThroughputRun> {
  const t0 = context.clock.seconds();
  const connection = await connect(target, context);
  let outcome: TransferOutcome;
  if (connection.ok) {
    const session = createTransferSession({
      // An upload is complete when the server answers, not when our last byte left.
      maxBytes: limits.direction === 'download' ? limits.bytes : Number.POSITIVE_INFINITY,
      maxDurationMs: limits.maxDurationMs ?? DEFAULT_MAX_DURATION_MS,
      stallTimeoutMs: limits.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      sampleIntervalMs: limits.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
      signal: context.signal,
    });
    const head = requestHead(target, limits);
    if (limits.direction === 'download') driveDownload(connection.socket, head, session);
    else driveUpload(connection.socket, head, limits.bytes, session);
    outcome = await session.done;
    connection.socket.destroy();
  } else {
    outcome = { ...NOT_STARTED, failure: connection.failure };
  }
  const { samples, ...stats } = outcome;
  return {
    direction: limits.direction,
    connection: context.connection ?? 0,
    ip: target.ip,
    port: target.port,
    sni: target.tls?.sni ?? null,
    sni_role: target.sniRole,
    samples,
    ...stats,
    ttfb_s: limits.direction === 'download' ? stats.ttfb_s : null,
    t0,
    t: context.clock.seconds(),
  };
}
