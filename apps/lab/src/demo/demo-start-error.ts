/** The demo could not bind its lab addresses on loopback: another demo on this machine holds them. */
export class DemoAddressInUseError extends Error {
  override readonly name = 'DemoAddressInUseError';
}

/**
 * What the demo's start-up failure says to the person who ran `reachmap up`. Every demo binds the same
 * loopback lab addresses unless moved (REACHMAP_DEMO_WORLD_OCTET), so "address in use" almost always
 * means a second demo: a bare EADDRINUSE with an address, repeated on every restart, did not say so.
 */
export function explainDemoStartError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'EADDRINUSE') return error;
  const { address, port } = error as { address?: unknown; port?: unknown };
  const where =
    typeof address === 'string' ? ` (${address}${typeof port === 'number' ? `:${port}` : ''})` : '';
  return new DemoAddressInUseError(
    `the demo network's loopback addresses are in use${where}: another reachmap demo is running on ` +
      'this machine (a `reachmap up`, a `pnpm soak` or a test). Stop it, or start this stack with --no-demo',
    { cause: error },
  );
}
