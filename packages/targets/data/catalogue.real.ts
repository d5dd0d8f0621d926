import type { z } from 'zod';
import type { Catalogue } from '../src/catalogue-schema.ts';

/*
 * The real catalogue: what agents in the field measure. Never measured by tests, demos or benchmarks
 * (loadCatalogue refuses it there); they use data/catalogue.lab.json, generated from this file by
 * `pnpm --filter @reachmap/targets gen:lab`. Addresses and URLs are public knowledge as of the version
 * date; a changed address ships as a signed catalogue update, not as an agent release.
 */

type CatalogueInput = z.input<typeof Catalogue>;
type TargetInput = CatalogueInput['targets'][number];
type SuiteInput = TargetInput['suite'];

/** IANA's reserved example domain: an SNI no censor has a reason to block (RFC 2606). */
const HARMLESS_SNI = 'example.com';
const CONTROL_RESOLVERS = ['system', 'cloudflare-doh', 'quad9-udp'];
const THROUGHPUT_RUN = { bytes: 1_048_576, seconds: 10, connections: 5 };

const DOMESTIC_CONTROLS = ['ru', 'ir', 'tr', 'cn', 'de', 'us'].map(
  (country) => `control-domestic-${country}`,
);
const FOREIGN_CONTROLS = [
  'control-foreign-cloudflare',
  'control-foreign-hetzner',
  'control-foreign-digitalocean',
  'control-foreign-ovh',
  'control-foreign-cloudfront',
];

const emptySuite: SuiteInput = { dns: null, tcp: [], tls: [], http: [], quic: [], throughput: [] };

function service(target: Omit<TargetInput, 'kind' | 'control' | 'judged_by'>, sameHosting: string[] = []) {
  return {
    ...target,
    kind: 'service',
    control: null,
    judged_by: { domestic: DOMESTIC_CONTROLS, foreign: FOREIGN_CONTROLS, same_hosting: sameHosting },
  } satisfies TargetInput;
}

function tlsOn(host: string, controlSni: string | null = HARMLESS_SNI) {
  return { sni: host, addresses: [host], port: 443, control_sni: controlSni };
}

/** A large site of one country, fetched over DNS, TCP, TLS and HTTPS: "does the domestic internet work?" */
function domesticControl(
  country: string,
  name: string,
  hosts: string[],
  title: string | null,
  knownPrefixes: string[],
): TargetInput {
  return {
    id: `control-domestic-${country.toLowerCase()}`,
    name,
    kind: 'control',
    control: 'domestic',
    country,
    suite: {
      ...emptySuite,
      dns: { hostnames: hosts, resolvers: CONTROL_RESOLVERS },
      tcp: hosts.map((host) => ({ host, ports: [443] })),
      tls: hosts.map((host) => tlsOn(host, null)),
      http: [{ url: `https://${hosts[0]}/`, expected_status: [200, 301, 302], expected_title: title }],
    },
    known_prefixes: knownPrefixes,
    judged_by: { domestic: [], foreign: [], same_hosting: [] },
  };
}

/**
 * A static object on a large hosting or CDN provider. Russia has stalled connections to such providers
 * after ~16 KB since June 2025 (Cloudflare blog 2025-06-26), so each carries a throughput object.
 */
function foreignControl(
  provider: string,
  name: string,
  objectUrl: string,
  knownPrefixes: string[],
): TargetInput {
  const host = new URL(objectUrl).hostname;
  return {
    id: `control-foreign-${provider}`,
    name,
    kind: 'control',
    control: 'foreign',
    country: null,
    suite: {
      ...emptySuite,
      dns: { hostnames: [host], resolvers: CONTROL_RESOLVERS },
      tcp: [{ host, ports: [443] }],
      tls: [tlsOn(host, null)],
      http: [{ url: objectUrl, expected_status: [200], expected_title: null }],
      throughput: [{ source: { kind: 'url', url: objectUrl }, ...THROUGHPUT_RUN }],
    },
    known_prefixes: knownPrefixes,
    judged_by: { domestic: [], foreign: [], same_hosting: [] },
  };
}

const WHATSAPP_EDGES = Array.from({ length: 16 }, (_, i) => `e${i + 1}.whatsapp.net`);
const TELEGRAM_DATACENTRES = [
  '149.154.175.50',
  '149.154.167.51',
  '149.154.175.100',
  '149.154.167.91',
  '149.154.171.5',
  '95.161.76.100',
];
const SIGNAL_HOSTS = ['chat.signal.org', 'storage.signal.org', 'cdsi.signal.org', 'sfu.voip.signal.org'];

export const realCatalogue = {
  catalogue_version: 1,
  version: '2026.05.01.1',
  issued_at: '2026-05-01T00:00:00Z',
  environment: 'real',
  resolvers: [
    { id: 'cloudflare-doh', kind: 'doh', address: 'https://1.1.1.1/dns-query' },
    { id: 'quad9-udp', kind: 'udp', address: '9.9.9.9:53' },
  ],
  reflectors: [
    // Operators deploy apps/reflector outside censored networks and list it here (docs/reflector.md).
    { id: 'reflector-eu-1', host: 'reflector-eu-1.reachmap.example', port: 443 },
  ],
  dns_zone: [],
  targets: [
    // OONI ts-018-whatsapp (github.com/ooni/spec/blob/master/nettests/ts-018-whatsapp.md): TCP to
    // e1..e16.whatsapp.net on 443 and 5222, HTTPS to the registration server and WhatsApp Web.
    service({
      id: 'whatsapp',
      name: 'WhatsApp',
      country: null,
      suite: {
        dns: {
          hostnames: [...WHATSAPP_EDGES, 'v.whatsapp.net', 'web.whatsapp.com'],
          resolvers: CONTROL_RESOLVERS,
        },
        tcp: WHATSAPP_EDGES.map((host) => ({ host, ports: [443, 5222] })),
        tls: [tlsOn('v.whatsapp.net'), tlsOn('web.whatsapp.com'), tlsOn('e1.whatsapp.net')],
        // OONI counts any HTTP answer from the registration server as reachable.
        http: [
          { url: 'https://v.whatsapp.net/v2/register', expected_status: null, expected_title: null },
          { url: 'https://web.whatsapp.com/', expected_status: [200], expected_title: 'WhatsApp Web' },
        ],
        quic: [{ host: 'web.whatsapp.com', sni: 'web.whatsapp.com', port: 443 }],
        throughput: [
          {
            source: { kind: 'url', url: 'https://mmg.whatsapp.net/v/t62.7118-24/reachmap-probe-1mib.enc' },
            ...THROUGHPUT_RUN,
          },
        ],
      },
      // Meta, AS32934.
      known_prefixes: [
        '31.13.24.0/21',
        '31.13.64.0/18',
        '57.144.0.0/14',
        '69.171.224.0/19',
        '102.132.96.0/20',
        '129.134.0.0/16',
        '157.240.0.0/16',
        '163.70.128.0/17',
        '179.60.192.0/22',
        '185.60.216.0/22',
        '2a03:2880::/32',
      ],
    }),
    // OONI ts-020-telegram (github.com/ooni/spec/blob/master/nettests/ts-020-telegram.md): the access
    // points of the data centres on :80 and :443, and Telegram Web. The data centres speak MTProto, not
    // TLS, so only web.telegram.org gets a TLS handshake.
    service({
      id: 'telegram',
      name: 'Telegram',
      country: null,
      suite: {
        dns: { hostnames: ['web.telegram.org', 'telegram.org'], resolvers: CONTROL_RESOLVERS },
        tcp: TELEGRAM_DATACENTRES.map((host) => ({ host, ports: [80, 443] })),
        tls: [tlsOn('web.telegram.org')],
        http: [{ url: 'https://web.telegram.org/', expected_status: [200], expected_title: 'Telegram Web' }],
        quic: [],
        throughput: [
          {
            source: { kind: 'url', url: 'https://telegram.org/file/464001088/1/reachmap-probe-1mib' },
            ...THROUGHPUT_RUN,
          },
        ],
      },
      // Telegram Messenger Inc, AS62041, AS59930, AS62014, AS211157.
      known_prefixes: [
        '91.108.4.0/22',
        '91.108.8.0/22',
        '91.108.12.0/22',
        '91.108.16.0/22',
        '91.108.56.0/22',
        '95.161.64.0/20',
        '149.154.160.0/20',
        '185.76.151.0/24',
        '2001:67c:4e8::/48',
      ],
    }),
    // OONI ts-029-signal (github.com/ooni/spec/blob/master/nettests/ts-029-signal.md), with today's
    // service names. Signal pins its own CA, so certificate validation fails by design and is only
    // recorded; the handshake outcome is what counts.
    service(
      {
        id: 'signal',
        name: 'Signal',
        country: null,
        suite: {
          dns: { hostnames: SIGNAL_HOSTS, resolvers: CONTROL_RESOLVERS },
          tcp: SIGNAL_HOSTS.map((host) => ({ host, ports: [443] })),
          tls: SIGNAL_HOSTS.map((host) => tlsOn(host)),
          http: SIGNAL_HOSTS.filter((host) => host !== 'sfu.voip.signal.org').map((host) => ({
            url: `https://${host}/`,
            expected_status: null,
            expected_title: null,
          })),
          quic: [],
          throughput: [],
        },
        // Cloud-hosted on shared provider ranges: DNS answers are judged against the control resolvers only.
        known_prefixes: [],
      },
      ['control-foreign-cloudfront'],
    ),
    // MAX, the state-backed Russian messenger: a domestic service that should stay reachable where
    // foreign messengers are blocked, which separates censorship from an outage.
    service({
      id: 'max',
      name: 'MAX',
      country: 'RU',
      suite: {
        ...emptySuite,
        dns: { hostnames: ['max.ru', 'web.max.ru'], resolvers: CONTROL_RESOLVERS },
        tcp: [
          { host: 'max.ru', ports: [443] },
          { host: 'web.max.ru', ports: [443] },
        ],
        tls: [tlsOn('max.ru'), tlsOn('web.max.ru')],
        http: [{ url: 'https://max.ru/', expected_status: [200], expected_title: null }],
      },
      // VK, AS47541 / AS47764.
      known_prefixes: [
        '87.240.128.0/18',
        '93.186.224.0/20',
        '95.142.192.0/20',
        '95.213.0.0/17',
        '185.32.248.0/22',
      ],
    }),
    // YouTube: throttled in Russia in 2024 (~128 kbit/s over TCP, ~512 kbit/s over QUIC; docs/techniques.md). The
    // reflector run sends a googlevideo SNI and a harmless SNI to the same server (Censored Planet).
    service({
      id: 'youtube',
      name: 'YouTube',
      country: null,
      suite: {
        dns: {
          hostnames: ['www.youtube.com', 'youtubei.googleapis.com', 'rr1---sn-4g5e6nsz.googlevideo.com'],
          resolvers: CONTROL_RESOLVERS,
        },
        tcp: [
          { host: 'www.youtube.com', ports: [443] },
          { host: 'rr1---sn-4g5e6nsz.googlevideo.com', ports: [443] },
        ],
        tls: [tlsOn('www.youtube.com'), tlsOn('rr1---sn-4g5e6nsz.googlevideo.com')],
        http: [{ url: 'https://www.youtube.com/', expected_status: [200], expected_title: 'YouTube' }],
        quic: [
          { host: 'www.youtube.com', sni: 'www.youtube.com', port: 443 },
          { host: 'rr1---sn-4g5e6nsz.googlevideo.com', sni: 'rr1---sn-4g5e6nsz.googlevideo.com', port: 443 },
        ],
        throughput: [
          {
            source: {
              kind: 'url',
              url: 'https://rr1---sn-4g5e6nsz.googlevideo.com/videoplayback?itag=18&mime=video%2Fmp4&range=0-1048575',
            },
            ...THROUGHPUT_RUN,
          },
          {
            source: {
              kind: 'reflector',
              reflector: 'reflector-eu-1',
              path: '/download',
              sni: 'rr1---sn-4g5e6nsz.googlevideo.com',
              control_sni: HARMLESS_SNI,
            },
            ...THROUGHPUT_RUN,
          },
        ],
      },
      // Google, AS15169.
      known_prefixes: [
        '64.233.160.0/19',
        '74.125.0.0/16',
        '108.177.0.0/17',
        '142.250.0.0/15',
        '172.217.0.0/16',
        '173.194.0.0/16',
        '209.85.128.0/17',
        '216.58.192.0/19',
        '2a00:1450::/32',
      ],
    }),
    domesticControl('RU', 'Russian domestic control (Yandex, VK)', ['ya.ru', 'vk.com'], null, [
      '5.255.255.0/24',
      '77.88.0.0/18',
      '87.250.224.0/19',
      '213.180.192.0/19',
      '87.240.128.0/18',
    ]),
    domesticControl(
      'IR',
      'Iranian domestic control (Digikala, Aparat)',
      ['www.digikala.com', 'www.aparat.com'],
      null,
      [],
    ),
    domesticControl(
      'TR',
      'Turkish domestic control (Hürriyet, Trendyol)',
      ['www.hurriyet.com.tr', 'www.trendyol.com'],
      null,
      [],
    ),
    domesticControl(
      'CN',
      'Chinese domestic control (Baidu, QQ)',
      ['www.baidu.com', 'www.qq.com'],
      '百度一下，你就知道',
      [],
    ),
    domesticControl(
      'DE',
      'German domestic control (Spiegel, Tagesschau)',
      ['www.spiegel.de', 'www.tagesschau.de'],
      null,
      [],
    ),
    domesticControl(
      'US',
      'US domestic control (Google, Amazon)',
      ['www.google.com', 'www.amazon.com'],
      'Google',
      [],
    ),
    foreignControl(
      'cloudflare',
      'Cloudflare-hosted object',
      'https://speed.cloudflare.com/__down?bytes=1048576',
      ['104.16.0.0/13', '172.64.0.0/13', '2606:4700::/32'],
    ),
    foreignControl('hetzner', 'Hetzner-hosted object', 'https://nbg1-speed.hetzner.com/100MB.bin', [
      '5.9.0.0/16',
      '88.198.0.0/16',
      '95.216.0.0/16',
      '2a01:4f8::/32',
    ]),
    foreignControl(
      'digitalocean',
      'DigitalOcean-hosted object',
      'https://speedtest-fra1.digitalocean.com/10mb.test',
      ['138.68.0.0/16', '167.99.0.0/16', '164.90.128.0/17'],
    ),
    foreignControl('ovh', 'OVH-hosted object', 'https://proof.ovh.net/files/10Mb.dat', [
      '51.68.0.0/16',
      '54.36.0.0/16',
      '188.165.0.0/16',
    ]),
    foreignControl(
      'cloudfront',
      'AWS CloudFront-hosted object',
      'https://d1.awsstatic.com/reachmap/probe-1mib.bin',
      ['13.32.0.0/15', '18.64.0.0/14', '52.84.0.0/15', '99.84.0.0/16'],
    ),
  ],
} satisfies CatalogueInput;
