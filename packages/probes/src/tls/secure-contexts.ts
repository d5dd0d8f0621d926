import tls from 'node:tls';

/** Distinct trust-anchor sets kept at once: a catalogue names a handful (the system store, a lab CA). */
const MAX_CONTEXTS = 16;

const contexts = new Map<string, tls.SecureContext>();

/**
 * One client `SecureContext` per set of trust anchors, shared by every TLS connection a probe makes.
 * Without it each `tls.connect` or `https.request` builds its own, which copies the whole root store
 * (and parses `ca` again): ~2-3.5 ms of CPU per connection, hundreds of connections a round. A shared
 * context carries no state between connections: reachmap never hands a session to `tls.connect`, so
 * every handshake is a full one.
 */
export function secureContextFor(ca: string | string[] | undefined): tls.SecureContext {
  const key = ca === undefined ? '' : typeof ca === 'string' ? ca : ca.join('\n');
  let context = contexts.get(key);
  if (context === undefined) {
    context = tls.createSecureContext(ca === undefined ? {} : { ca });
    if (contexts.size >= MAX_CONTEXTS) {
      const oldest = contexts.keys().next().value;
      if (oldest !== undefined) contexts.delete(oldest);
    }
    contexts.set(key, context);
  }
  return context;
}

/**
 * The shared context as options for `https.request`, which hands its options on to `tls.connect` as
 * they are (Node's https agent); @types/node lists `secureContext` for `tls.connect` only.
 */
export function trustedBy(ca: string | string[] | undefined): Pick<tls.ConnectionOptions, 'secureContext'> {
  return { secureContext: secureContextFor(ca) };
}
