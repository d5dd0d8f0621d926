import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import {
  createLabHttpsServer,
  LAB_TARGET_TITLE,
  type LoopbackServer,
  startLabDnsServer,
  startLabWebServer,
  startResettingTcpServer,
  startSilentTcpServer,
  startSniFilteringServer,
  startThroughputServer,
  startVersionNegotiationServer,
} from '@reachmap/probes/testing';
import { type Catalogue, loopbackCatalogue, type Target } from '@reachmap/targets';

export const BLOCKED_SNI = 'e1.whatsapp.net.lab';
export const HARMLESS_SNI = 'harmless.lab';

/** A small network of loopback servers that behave like censored and free destinations. */
export interface LoopbackNetwork {
  catalogue: Catalogue;
  /** The lab CA that issued the TLS servers' certificate. */
  caPem: string;
  /** A TCP server that accepts and never answers: a TLS handshake to it hangs until a deadline. */
  silentPort: number;
  close(): Promise<void>;
}

const NO_JUDGES = { domestic: [], foreign: [], same_hosting: [] };
const EMPTY_SUITE = { dns: null, tcp: [], tls: [], http: [], quic: [], throughput: [] };

/**
 * Starts the servers and describes them as a lab catalogue: every destination is 127.0.0.1 or a
 * `.lab` name, so the catalogue passes `guardCatalogue` and nothing leaves the machine.
 */
export async function startLoopbackNetwork(): Promise<LoopbackNetwork> {
  const ca = await createCertificateAuthority({ commonName: 'reachmap agent test CA' });
  const leaf = await issueCertificate(ca, { names: [HARMLESS_SNI, BLOCKED_SNI] });
  const web = await startLabWebServer();
  const resetting = await startResettingTcpServer();
  const silent = await startSilentTcpServer();
  const sniFilter = await startSniFilteringServer({
    blockedSni: BLOCKED_SNI,
    action: 'reset',
    backend: createLabHttpsServer(leaf),
  });
  const throughput = await startThroughputServer();
  const quic = await startVersionNegotiationServer();
  const honestDns = await startLabDnsServer({ [BLOCKED_SNI]: { a: ['127.0.0.1'] } });
  const lyingDns = await startLabDnsServer({ [BLOCKED_SNI]: { rcode: 'NXDOMAIN' } });
  const servers: LoopbackServer[] = [web, resetting, silent, sniFilter, throughput];

  const control = (id: string, kind: 'domestic' | 'foreign', country: string | null): Target => ({
    id,
    name: id,
    kind: 'control',
    control: kind,
    country,
    suite: { ...EMPTY_SUITE, tcp: [{ host: '127.0.0.1', ports: [web.port] }] },
    known_prefixes: [],
    judged_by: NO_JUDGES,
  });
  const targets: Target[] = [
    control('control-domestic-ru', 'domestic', 'RU'),
    control('control-domestic-de', 'domestic', 'DE'),
    {
      ...control('control-foreign-lab', 'foreign', null),
      suite: {
        ...EMPTY_SUITE,
        tcp: [{ host: '127.0.0.1', ports: [web.port] }],
        http: [
          { url: `http://127.0.0.1:${web.port}/`, expected_status: [200], expected_title: LAB_TARGET_TITLE },
        ],
      },
    },
    {
      id: 'whatsapp',
      name: 'WhatsApp (loopback)',
      kind: 'service',
      control: null,
      country: null,
      suite: {
        dns: { hostnames: [BLOCKED_SNI], resolvers: ['lab-honest', 'lab-liar'] },
        tcp: [{ host: '127.0.0.1', ports: [resetting.port] }],
        tls: [
          { sni: BLOCKED_SNI, addresses: ['127.0.0.1'], port: sniFilter.port, control_sni: HARMLESS_SNI },
        ],
        http: [],
        quic: [{ host: '127.0.0.1', sni: BLOCKED_SNI, port: quic.port }],
        throughput: [],
      },
      known_prefixes: ['127.0.0.1/32'],
      judged_by: {
        domestic: ['control-domestic-ru', 'control-domestic-de'],
        foreign: ['control-foreign-lab'],
        same_hosting: [],
      },
    },
    {
      id: 'signal',
      name: 'Signal (loopback)',
      kind: 'service',
      control: null,
      country: null,
      suite: {
        ...EMPTY_SUITE,
        http: [{ url: `http://127.0.0.1:${web.port}/`, expected_status: null, expected_title: null }],
        throughput: [
          {
            source: { kind: 'url', url: `http://127.0.0.1:${throughput.port}/download?bytes=65536` },
            bytes: 65_536,
            seconds: 5,
            connections: 2,
          },
        ],
      },
      known_prefixes: [],
      judged_by: { domestic: ['control-domestic-ru'], foreign: ['control-foreign-lab'], same_hosting: [] },
    },
  ];
  const catalogue = loopbackCatalogue({
    resolvers: [
      { id: 'lab-honest', kind: 'udp', address: honestDns.address },
      { id: 'lab-liar', kind: 'udp', address: lyingDns.address },
    ],
    targets,
  });
  return {
    catalogue,
    caPem: ca.certificatePem,
    silentPort: silent.port,
    async close() {
      await Promise.all([
        ...servers.map((server) => server.close()),
        quic.close(),
        honestDns.close(),
        lyingDns.close(),
      ]);
    },
  };
}
