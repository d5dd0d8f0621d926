import type { ServerType } from '@hono/node-server';

/** How often idle keep-alive connections are swept while the server drains. */
const IDLE_SWEEP_MS = 50;

export interface CloseHttpServerOptions {
  /** How long in-flight requests may run before their connections are cut. */
  graceMs: number;
  /** Called once when the grace period ends with connections still open, just before they are cut. */
  onGraceExpired?: () => void;
}

/**
 * Stops accepting at once and resolves when every connection has ended. Keep-alive connections would
 * hold `server.close()` open until their idle timeout, so each is ended as soon as its last in-flight
 * request has been answered; whatever still runs after the grace period (event streams never go idle)
 * is cut.
 */
export function closeHttpServer(server: ServerType, options: CloseHttpServerOptions): Promise<void> {
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  const endIdle = setInterval(() => {
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  }, IDLE_SWEEP_MS);
  const grace = setTimeout(() => {
    options.onGraceExpired?.();
    if ('closeAllConnections' in server) server.closeAllConnections();
  }, options.graceMs);
  return drained.finally(() => {
    clearInterval(endIdle);
    clearTimeout(grace);
  });
}
