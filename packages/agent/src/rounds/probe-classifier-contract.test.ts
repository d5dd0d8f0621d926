import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { classifyMeasurement } from '@reachmap/classifier';
import { createCertificateAuthority, issueCertificate } from '@reachmap/pki';
import {
  createLabHttpsServer,
  type LabDnsZone,
  type LoopbackServer,
  listenOnLoopback,
  startBlackholeListener,
  startBlockpageServer,
  startLabDnsServer,
  startLabDohServer,
  startLabWebServer,
  startSilentTcpServer,
  startSilentUdpServer,
  startSniFilteringServer,
  startThroughputServer,
  startVersionNegotiationServer,
} from '@reachmap/probes/testing';
import {
  type Layer,
  type Measurement,
  type MeasurementId,
  type Method,
  newPrefixedId,
  type VerdictStatus,
} from '@reachmap/schema';
import { type Catalogue, catalogueVersionTag, loopbackCatalogue, type Target } from '@reachmap/targets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuite, type SuiteContext } from './suite-runner.ts';

/**
 * Contract between the probes and the classifier: for each technique of docs/techniques.md, the agent's real
 * suite runs against loopback servers that behave like that technique, and its real measurement goes
 * to classifyMeasurement with the catalogue's expectations, exactly as the aggregator does. A probe
 * that records a technique in a shape the classifier does not read (a bogon answer flagged as a
 * failure, a DoH control that cannot validate the lab CA) fails here, not in production.
 */

const BLOCKED_SNI = 'e1.whatsapp.net.lab';
const HARMLESS_SNI = 'harmless.lab';
/** What an honest resolver answers for every name below: an address inside the targets' known prefix. */
const HONEST_ANSWER = '198.18.0.10';
const KNOWN_PREFIX = '198.18.0.0/24';

// The system resolver is the censor's: each name shows one DNS technique.
const LYING_ZONE: LabDnsZone = {
  'nx.lab': { rcode: 'NXDOMAIN' },
  'servfail.lab': { rcode: 'SERVFAIL' },
  'stub.lab': { a: ['127.0.0.1'] },
  // Foreign: a routable-looking answer outside the targets' known prefix (inside the lab's 198.18.0.0/15,
  // which is no bogon; TEST-NET ranges are bogons since the one special-ranges module).
  'foreign.lab': { a: ['198.19.200.7'] },
  'doh-only.lab': { rcode: 'NXDOMAIN' },
  'honest.lab': { a: [HONEST_ANSWER] },
};
const HONEST_ZONE: LabDnsZone = Object.fromEntries(
  Object.keys(LYING_ZONE).map((name) => [name, { a: [HONEST_ANSWER] }]),
);

interface World {
  servers: { close(): Promise<void> | void }[];
  caPem: string;
  lyingDns: string;
  honestDns: string;
  dohUrl: string;
  web: number;
  closed: number;
  blackhole: number;
  silentTcp: number;
  sniReset: number;
  sniDrop: number;
  blockpage: number;
  redirectToBlockpage: number;
  fullSpeed: number;
  reflector: number;
  stallAfter16k: number;
  policed128k: number;
  silentUdp: number;
  quicAnswering: number;
}

let world: World;
let controls: Measurement[];
let deadControls: Measurement[];

/** A loopback port nothing listens on: a connect gets a RST to its SYN, as from `reject with tcp reset`. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const ca = await createCertificateAuthority({ commonName: 'reachmap contract test CA' });
  const leaf = await issueCertificate(ca, { names: [BLOCKED_SNI, HARMLESS_SNI], ips: ['127.0.0.1'] });
  const lyingDns = await startLabDnsServer(LYING_ZONE);
  const honestDns = await startLabDnsServer(HONEST_ZONE);
  const doh = await startLabDohServer(HONEST_ZONE, leaf);
  const web = await startLabWebServer();
  const blackhole = await startBlackholeListener();
  const silentTcp = await startSilentTcpServer();
  const sniReset = await startSniFilteringServer({
    blockedSni: BLOCKED_SNI,
    action: 'reset',
    backend: createLabHttpsServer(leaf),
  });
  const sniDrop = await startSniFilteringServer({
    blockedSni: BLOCKED_SNI,
    action: 'drop',
    backend: createLabHttpsServer(leaf),
  });
  const blockpage = await startBlockpageServer();
  // An ISP's transparent proxy answering the target's URL with a redirect to its blockpage.
  const redirectToBlockpage = await listenOnLoopback(
    http.createServer((_request, response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${blockpage.port}/blocked` }).end(),
    ),
  );
  const fullSpeed = await startThroughputServer();
  const reflector = await startThroughputServer({ certificate: leaf });
  const stallAfter16k = await startThroughputServer({ stallAfterBytes: 16_384 });
  const policed128k = await startThroughputServer({ rateBytesPerSecond: 16_000 });
  const silentUdp = await startSilentUdpServer();
  const quicAnswering = await startVersionNegotiationServer();
  const tcpServers: LoopbackServer[] = [
    web,
    blackhole,
    silentTcp,
    sniReset,
    sniDrop,
    blockpage,
    redirectToBlockpage,
    fullSpeed,
    reflector,
    stallAfter16k,
    policed128k,
  ];
  world = {
    servers: [...tcpServers, lyingDns, honestDns, doh, silentUdp, quicAnswering],
    caPem: ca.certificatePem,
    lyingDns: lyingDns.address,
    honestDns: honestDns.address,
    dohUrl: doh.url,
    web: web.port,
    closed: await closedPort(),
    blackhole: blackhole.port,
    silentTcp: silentTcp.port,
    sniReset: sniReset.port,
    sniDrop: sniDrop.port,
    blockpage: blockpage.port,
    redirectToBlockpage: redirectToBlockpage.port,
    fullSpeed: fullSpeed.port,
    reflector: reflector.port,
    stallAfter16k: stallAfter16k.port,
    policed128k: policed128k.port,
    silentUdp: silentUdp.port,
    quicAnswering: quicAnswering.port,
  };

  const healthy = catalogueWith([]);
  controls = await measureAll(healthy, ['control-domestic', 'control-foreign']);
  const outage = catalogueWith([], world.closed);
  deadControls = await measureAll(outage, ['control-domestic', 'control-foreign']);
}, 30_000);

afterAll(async () => {
  await Promise.all((world?.servers ?? []).map((server) => server.close()));
});

const EMPTY_SUITE = { dns: null, tcp: [], tls: [], http: [], quic: [], throughput: [] };
const NO_JUDGES = { domestic: [], foreign: [], same_hosting: [] };

/**
 * A lab catalogue with the two round controls and the given service targets. The controls connect to
 * `controlPort` (a closed one makes them fail, as in an outage); with a working port the foreign one
 * also downloads at full speed, the reference for stalls and rate caps.
 */
function catalogueWith(services: Target[], controlPort = world.web): Catalogue {
  const downloads = controlPort === world.web;
  const control = (kind: 'domestic' | 'foreign'): Target => ({
    id: `control-${kind}`,
    name: `${kind} control`,
    kind: 'control',
    control: kind,
    country: kind === 'domestic' ? 'RU' : null,
    suite: {
      ...EMPTY_SUITE,
      tcp: [{ host: '127.0.0.1', ports: [controlPort] }],
      throughput:
        kind === 'foreign' && downloads
          ? [
              {
                source: { kind: 'url', url: `http://127.0.0.1:${world.fullSpeed}/download?bytes=1048576` },
                bytes: 1_048_576,
                seconds: 3,
                connections: 1,
              },
            ]
          : [],
    },
    known_prefixes: [],
    judged_by: NO_JUDGES,
  });
  return loopbackCatalogue({
    version: '2026.12.02.1',
    resolvers: [
      { id: 'control-udp', kind: 'udp', address: world.honestDns },
      { id: 'control-doh', kind: 'doh', address: world.dohUrl },
    ],
    reflectors: [{ id: 'lab-reflector', host: '127.0.0.1', port: world.reflector }],
    targets: [control('domestic'), control('foreign'), ...services],
  });
}

function suiteContext(catalogue: Catalogue, controlIds: MeasurementId[] = []): SuiteContext {
  return {
    agent: { id: 'agt_0000000000contracttest', software: { name: 'reachmap-agent', version: '0.1.0' } },
    network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
    source: 'agent',
    catalogue,
    catalogueVersion: catalogueVersionTag(catalogue),
    round: { id: newPrefixedId('rnd'), controls: controlIds },
    signal: new AbortController().signal,
    ca: [world.caPem],
    // Questions to the system resolver go to the censor's resolver, as resolv.conf does in the lab.
    probeNetwork: { systemResolver: world.lyingDns },
  };
}

async function measureAll(catalogue: Catalogue, ids: string[]): Promise<Measurement[]> {
  return Promise.all(
    ids.map((id) => {
      const target = catalogue.targets.find((candidate) => candidate.id === id);
      if (target === undefined) throw new Error(`no target ${id}`);
      return runSuite(target, suiteContext(catalogue));
    }),
  );
}

/** A service target named `service`, measured by the real suite and judged as the aggregator does. */
async function classifyTechnique(suite: Partial<Target['suite']>, roundControls = controls) {
  const target: Target = {
    id: 'service',
    name: 'service under test',
    kind: 'service',
    control: null,
    country: null,
    suite: { ...EMPTY_SUITE, ...suite },
    known_prefixes: [KNOWN_PREFIX],
    judged_by: { domestic: ['control-domestic'], foreign: ['control-foreign'], same_hosting: [] },
  };
  const catalogue = catalogueWith([target]);
  const measurement = await runSuite(
    target,
    suiteContext(
      catalogue,
      roundControls.map((control) => control.id),
    ),
  );
  // The catalogue's expectations as the aggregator derives them (apps/aggregator target-expectations).
  const expectations = {
    known_prefixes: target.known_prefixes,
    expected_http: target.suite.http.map((check) => ({
      url: check.url,
      ...(check.expected_status?.[0] === undefined ? {} : { status: check.expected_status[0] }),
      ...(check.expected_title === null ? {} : { title: check.expected_title }),
    })),
  };
  const verdict = classifyMeasurement({ measurement, controls: roundControls, expectations });
  return { measurement, verdict };
}

type Expected = [VerdictStatus, Layer | null, Method | null];
const local = (port: number) => `http://127.0.0.1:${port}`;
const transfer = (port: number) => [
  {
    source: { kind: 'url' as const, url: `${local(port)}/download?bytes=262144` },
    bytes: 262_144,
    seconds: 6,
    connections: 3,
  },
];

describe.concurrent('probe → classifier contract (real agent suite, loopback censors)', () => {
  const cases: [string, () => Partial<Target['suite']>, Expected][] = [
    [
      'DNS removal: the system resolver answers NXDOMAIN, the UDP control resolves',
      () => ({ dns: { hostnames: ['nx.lab'], resolvers: ['system', 'control-udp'] } }),
      ['blocked', 'dns', 'nxdomain'],
    ],
    [
      'DNS failure: the system resolver answers SERVFAIL to every layer that resolves the name, the controls resolve',
      () => ({
        dns: { hostnames: ['servfail.lab'], resolvers: ['system', 'control-doh', 'control-udp'] },
        tcp: [{ host: 'servfail.lab', ports: [world.web] }],
        tls: [
          {
            sni: 'servfail.lab',
            addresses: ['servfail.lab'],
            port: world.sniReset,
            control_sni: HARMLESS_SNI,
          },
        ],
        http: [{ url: `http://servfail.lab:${world.web}/`, expected_status: [200], expected_title: null }],
      }),
      ['blocked', 'dns', 'servfail'],
    ],
    [
      'DNS removal seen by every layer that resolves the name',
      () => ({
        dns: { hostnames: ['nx.lab'], resolvers: ['system', 'control-doh', 'control-udp'] },
        tcp: [{ host: 'nx.lab', ports: [world.web] }],
        tls: [{ sni: 'nx.lab', addresses: ['nx.lab'], port: world.sniReset, control_sni: HARMLESS_SNI }],
        http: [{ url: `http://nx.lab:${world.web}/`, expected_status: [200], expected_title: null }],
      }),
      ['blocked', 'dns', 'nxdomain'],
    ],
    [
      'DNS poisoning to a stub: the system resolver answers 127.0.0.1, and the app connects there',
      () => ({
        dns: { hostnames: ['stub.lab'], resolvers: ['system', 'control-udp'] },
        tcp: [{ host: 'stub.lab', ports: [world.closed] }],
      }),
      ['blocked', 'dns', 'bogon'],
    ],
    [
      'DNS poisoning to a foreign address outside the known prefixes',
      () => ({ dns: { hostnames: ['foreign.lab'], resolvers: ['system', 'control-udp'] } }),
      ['blocked', 'dns', 'dns-mismatch'],
    ],
    [
      'DNS comparison against the DoH control alone (validated with the lab CA)',
      () => ({ dns: { hostnames: ['doh-only.lab'], resolvers: ['system', 'control-doh'] } }),
      ['blocked', 'dns', 'nxdomain'],
    ],
    [
      'IP block with RST to the SYN',
      () => ({ tcp: [{ host: '127.0.0.1', ports: [world.closed] }] }),
      ['blocked', 'tcp', 'refused'],
    ],
    [
      'IP blackhole: SYNs unanswered',
      () => ({ tcp: [{ host: '127.0.0.1', ports: [world.blackhole] }] }),
      ['blocked', 'tcp', 'timeout'],
    ],
    [
      'SNI-triggered reset, harmless SNI to the same address works',
      () => ({
        tls: [
          { sni: BLOCKED_SNI, addresses: ['127.0.0.1'], port: world.sniReset, control_sni: HARMLESS_SNI },
        ],
      }),
      ['blocked', 'tls', 'sni-reset'],
    ],
    [
      'SNI-triggered silent drop',
      () => ({
        tls: [{ sni: BLOCKED_SNI, addresses: ['127.0.0.1'], port: world.sniDrop, control_sni: HARMLESS_SNI }],
      }),
      ['blocked', 'tls', 'sni-timeout'],
    ],
    [
      'HTTP blockpage served in place of the page',
      () => ({
        http: [{ url: `${local(world.blockpage)}/`, expected_status: [200], expected_title: 'WhatsApp' }],
      }),
      ['blocked', 'http', 'blockpage'],
    ],
    [
      'HTTP redirect to a blockpage',
      () => ({
        http: [
          { url: `${local(world.redirectToBlockpage)}/`, expected_status: [200], expected_title: 'WhatsApp' },
        ],
      }),
      ['blocked', 'http', 'blockpage'],
    ],
    [
      'HTTP request unanswered after a working connect',
      () => ({
        tcp: [{ host: '127.0.0.1', ports: [world.silentTcp] }],
        http: [{ url: `${local(world.silentTcp)}/`, expected_status: [200], expected_title: null }],
      }),
      ['blocked', 'http', 'http-failure'],
    ],
    [
      'QUIC dropped while TCP to the same address works',
      () => ({
        tcp: [{ host: '127.0.0.1', ports: [world.web] }],
        quic: [{ host: '127.0.0.1', sni: BLOCKED_SNI, port: world.silentUdp }],
      }),
      ['blocked', 'quic', 'quic-blocked'],
    ],
    [
      'stall after 16 KB, the control downloads at full speed',
      () => ({ throughput: transfer(world.stallAfter16k) }),
      ['stalled', 'throughput', 'stall'],
    ],
    [
      'rate cap at 128 kbit/s, the control downloads at full speed',
      () => ({ throughput: transfer(world.policed128k) }),
      ['throttled', 'throughput', 'rate-cap'],
    ],
    [
      'clean: every layer works',
      () => ({
        dns: { hostnames: ['honest.lab'], resolvers: ['system', 'control-udp', 'control-doh'] },
        tcp: [{ host: '127.0.0.1', ports: [world.web] }],
        tls: [{ sni: HARMLESS_SNI, addresses: ['127.0.0.1'], port: world.sniReset, control_sni: null }],
        http: [
          { url: `${local(world.web)}/`, expected_status: [200], expected_title: 'Reachmap lab target' },
        ],
        quic: [{ host: '127.0.0.1', sni: BLOCKED_SNI, port: world.quicAnswering }],
        throughput: transfer(world.fullSpeed),
      }),
      ['ok', null, null],
    ],
  ];

  it.each(cases)('%s', async (_name, suite, [status, layer, method]) => {
    const { measurement, verdict } = await classifyTechnique(suite());
    expect(
      { status: verdict.status, layer: verdict.layer, method: verdict.method },
      JSON.stringify({ evidence: verdict.evidence, dns: measurement.observations.dns }),
    ).toEqual({ status, layer, method });
  });

  it("allowlist: the target's address and the foreign control blackholed, a reflector with the target's SNI still delivers", async () => {
    // Under an allowlist the reflector stays reachable; its transfers test the name, not the target's
    // reachability (fuzz world 192000739: YouTube was judged `ok` on them alone).
    const reflected = {
      source: {
        kind: 'reflector' as const,
        reflector: 'lab-reflector',
        path: '/download',
        sni: BLOCKED_SNI,
        control_sni: HARMLESS_SNI,
      },
      bytes: 65_536,
      seconds: 3,
      connections: 2,
    };
    const [domestic] = controls;
    const [, deadForeign] = deadControls;
    if (domestic === undefined || deadForeign === undefined) throw new Error('round controls missing');
    const { measurement, verdict } = await classifyTechnique(
      { tcp: [{ host: '127.0.0.1', ports: [world.blackhole] }], throughput: [reflected] },
      [domestic, deadForeign],
    );
    expect(measurement.observations.throughput.filter((run) => run.bytes > 0).length).toBeGreaterThan(0);
    expect([verdict.status, verdict.layer, verdict.method]).toEqual(['blocked', 'tcp', 'allowlist']);
  });

  it('outage: the target and both round controls fail', async () => {
    const { verdict } = await classifyTechnique(
      { tcp: [{ host: '127.0.0.1', ports: [world.closed] }] },
      deadControls,
    );
    expect([verdict.status, verdict.layer, verdict.method]).toEqual(['down', null, 'outage']);
  });
});
