import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Catalogue, loopbackCatalogue, type Target } from '@reachmap/targets';

/** An HTTP server on 127.0.0.1 and a lab catalogue whose every destination is that server. */
export interface LoopbackCatalogue {
  catalogue: Catalogue;
  close(): Promise<void>;
}

const PAGE = '<!doctype html><html><head><title>reachmap bench target</title></head><body>ok</body></html>';
const NO_SUITE = { dns: null, tcp: [], tls: [], http: [], quic: [], throughput: [] };

/**
 * A catalogue shaped like the real one (domestic and foreign controls, services judged by them) but
 * pointing only at a loopback server this process started; `guardCatalogue` refuses anything else.
 */
export async function startLoopbackCatalogue(): Promise<LoopbackCatalogue> {
  const server: Server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  // The catalogue must name a resolver; no target of this one asks it, and it would answer nothing.
  const resolver = createSocket('udp4');
  await new Promise<void>((resolve) => resolver.bind(0, '127.0.0.1', resolve));
  const suite = {
    ...NO_SUITE,
    tcp: [{ host: '127.0.0.1', ports: [port] }],
    http: [{ url, expected_status: [200], expected_title: 'reachmap bench target' }],
  };
  const control = (id: string, kind: 'domestic' | 'foreign'): Target => ({
    id,
    name: id,
    kind: 'control',
    control: kind,
    country: kind === 'domestic' ? 'RU' : null,
    suite,
    known_prefixes: [],
    judged_by: { domestic: [], foreign: [], same_hosting: [] },
  });
  const service = (id: string): Target => ({
    id,
    name: `${id} (loopback)`,
    kind: 'service',
    control: null,
    country: null,
    suite,
    known_prefixes: ['127.0.0.1/32'],
    judged_by: { domestic: ['control-domestic'], foreign: ['control-foreign'], same_hosting: [] },
  });
  const catalogue = loopbackCatalogue({
    resolvers: [{ id: 'loopback', kind: 'udp', address: `127.0.0.1:${resolver.address().port}` }],
    targets: [
      control('control-domestic', 'domestic'),
      control('control-foreign', 'foreign'),
      ...['whatsapp', 'telegram', 'signal', 'youtube', 'instagram', 'facebook', 'twitter', 'wikipedia'].map(
        service,
      ),
    ],
  });
  return {
    catalogue,
    close: async () => {
      resolver.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
