import {
  ControlKind,
  CountryCode,
  DnsResolverKind,
  type Layer,
  TargetId,
  TargetKind,
} from '@reachmap/schema';
import { z } from 'zod';

const Ip = z.union([z.ipv4(), z.ipv6()]);
const Cidr = z.union([z.cidrv4(), z.cidrv6()]);
const Port = z.number().int().min(1).max(65_535);
const Hostname = z.hostname().max(253);
/** Where a probe connects: a hostname (resolved by the agent) or a literal IP. */
const Host = z.union([Ip, Hostname]);
// z.httpUrl() rejects IP-literal hosts, which resolvers (https://1.1.1.1/dns-query) and the lab need.
const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);
const ResolverId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lowercase slug');
const ReflectorId = ResolverId;

/** A control resolver every agent may ask, so a system resolver's answer has something to disagree with. */
export const ControlResolver = z
  .object({
    id: ResolverId,
    kind: DnsResolverKind.exclude(['system']),
    /** `ip:port` for udp/tcp, the endpoint URL for doh (same convention as measurement observations). */
    address: z.string().min(1).max(500),
  })
  .superRefine((resolver, ctx) => {
    const valid =
      resolver.kind === 'doh' ? HttpUrl.safeParse(resolver.address).success : isIpPort(resolver.address);
    if (!valid) {
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        message:
          resolver.kind === 'doh' ? 'expected an https URL' : 'expected "ip:port" such as "9.9.9.9:53"',
      });
    }
  });
export type ControlResolver = z.infer<typeof ControlResolver>;

/** A reachmap reflector (apps/reflector): a measurement server outside censored networks. */
export const Reflector = z.object({
  id: ReflectorId,
  host: Host,
  /** TLS and plain-HTTP share this port; QUIC Initials get a Version Negotiation on the same UDP port. */
  port: Port,
});
export type Reflector = z.infer<typeof Reflector>;

export const DnsSuite = z.object({
  hostnames: z.array(Hostname).min(1).max(50),
  /** `system` plus ids of catalogue-level control resolvers; the classifier compares their answers. */
  resolvers: z
    .array(z.union([z.literal('system'), ResolverId]))
    .min(2)
    .max(5),
});

export const TcpEndpoint = z.object({
  host: Host,
  ports: z.array(Port).min(1).max(10),
});

export const TlsEndpoint = z.object({
  sni: Hostname,
  /** Where the handshake goes: literal IPs, or a hostname the agent resolves first. */
  addresses: z.array(Host).min(1).max(20),
  port: Port,
  /**
   * A harmless SNI to send to the same address right after: target SNI fails while this one succeeds
   * means SNI-based blocking (Censored Planet, "TSPU", IMC 2022). Null when the server rejects strangers.
   */
  control_sni: Hostname.nullable(),
});

export const HttpCheck = z.object({
  url: HttpUrl,
  /** Statuses the real service answers with; null when any answer from the server counts (OONI's rule). */
  expected_status: z.array(z.number().int().min(100).max(599)).min(1).nullable(),
  /** Title of the real page; a different title plus a short body flags a blockpage (http-diff). */
  expected_title: z.string().max(500).nullable(),
});

export const QuicEndpoint = z.object({
  host: Host,
  sni: Hostname,
  port: Port,
});

export const ThroughputSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('url'), url: HttpUrl }),
  z.object({
    kind: z.literal('reflector'),
    reflector: ReflectorId,
    /** The reflector's download path; `?bytes=` is added by the agent. */
    path: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'expected an absolute path such as "/download"'),
    /** SNI sent to the reflector (the target's), compared with `control_sni` on the same reflector. */
    sni: Hostname,
    control_sni: Hostname,
  }),
]);

export const ThroughputSpec = z.object({
  source: ThroughputSource,
  bytes: z
    .number()
    .int()
    .min(16_384)
    .max(64 * 1024 * 1024),
  seconds: z.number().min(1).max(60),
  /** Fresh connections per run; docs/techniques.md's thresholds need ≥ 3 of 5 to agree. */
  connections: z.number().int().min(1).max(10),
});
export type ThroughputSpec = z.infer<typeof ThroughputSpec>;

/**
 * Each layer's part of a target's suite: which probes run with which inputs (the layer registry's
 * catalogue part, packages/schema/src/layers.ts). OONI's messenger tests are the starting point.
 */
export const SUITE_LAYERS = {
  dns: DnsSuite.nullable(),
  tcp: z.array(TcpEndpoint).max(50),
  tls: z.array(TlsEndpoint).max(50),
  http: z.array(HttpCheck).max(20),
  quic: z.array(QuicEndpoint).max(10),
  throughput: z.array(ThroughputSpec).max(5),
} as const satisfies Record<Layer, z.ZodType>;

export const Suite = z.object(SUITE_LAYERS);
export type Suite = z.infer<typeof Suite>;

export const JudgedBy = z.object({
  /** Domestic controls of every country; an agent uses those of its own country. */
  domestic: z.array(TargetId).max(50),
  foreign: z.array(TargetId).max(50),
  /** Controls on the target's hosting provider: a TCP failure there too is the provider, not censorship. */
  same_hosting: z.array(TargetId).max(10),
});
export type JudgedBy = z.infer<typeof JudgedBy>;

export const Target = z
  .object({
    id: TargetId,
    name: z.string().min(1).max(100),
    kind: TargetKind,
    control: ControlKind.nullable(),
    /** The country a domestic control (or a domestic reference service) stands for. */
    country: CountryCode.nullable(),
    suite: Suite,
    /** The operator's address space: a DNS answer outside these is suspicious. Empty when unknowable (cloud). */
    known_prefixes: z.array(Cidr).max(100),
    judged_by: JudgedBy,
  })
  .superRefine((target, ctx) => {
    if ((target.kind === 'control') !== (target.control !== null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['control'],
        message: 'control is required for control targets and must be null for services',
      });
    }
    if (target.control === 'domestic' && target.country === null) {
      ctx.addIssue({ code: 'custom', path: ['country'], message: 'a domestic control needs a country' });
    }
  });
export type Target = z.infer<typeof Target>;

/** A host the lab resolver answers for; empty in the real catalogue, where public DNS answers. */
export const ZoneRecord = z.object({
  hostname: Hostname,
  addresses: z.array(Ip).min(1).max(20),
});
export type ZoneRecord = z.infer<typeof ZoneRecord>;

export const CatalogueEnvironment = z.enum(['real', 'lab']);
export type CatalogueEnvironment = z.infer<typeof CatalogueEnvironment>;

const CatalogueShape = z.object({
  catalogue_version: z.literal(1),
  /** Bumped on every edit; agents record it (with the content hash) on each measurement. */
  version: z
    .string()
    .regex(/^\d{4}\.\d{2}\.\d{2}(\.\d+)?$/, 'expected a dated version such as "2026.05.01.1"'),
  issued_at: z.iso.datetime({ offset: true }),
  environment: CatalogueEnvironment,
  resolvers: z.array(ControlResolver).min(1).max(10),
  reflectors: z.array(Reflector).max(20),
  dns_zone: z.array(ZoneRecord).max(2000),
  targets: z.array(Target).min(1).max(500),
});

export const Catalogue = CatalogueShape.superRefine((catalogue, ctx) => {
  for (const issue of referenceIssues(catalogue)) ctx.addIssue({ code: 'custom', ...issue });
});
export type Catalogue = z.infer<typeof Catalogue>;

interface ReferenceIssue {
  path: (string | number)[];
  message: string;
}

/** Cross-references a schema cannot express: unique ids, and ids that must name the right kind of thing. */
function referenceIssues(catalogue: z.infer<typeof CatalogueShape>): ReferenceIssue[] {
  const issues: ReferenceIssue[] = [];
  const byId = new Map(catalogue.targets.map((target) => [target.id, target]));
  const resolverIds = new Set(catalogue.resolvers.map((resolver) => resolver.id));
  const reflectorIds = new Set(catalogue.reflectors.map((reflector) => reflector.id));

  const duplicates = (ids: string[]) => ids.filter((id, index) => ids.indexOf(id) !== index);
  for (const id of duplicates(catalogue.targets.map((target) => target.id))) {
    issues.push({ path: ['targets'], message: `duplicate target id "${id}"` });
  }
  for (const id of duplicates(catalogue.resolvers.map((resolver) => resolver.id))) {
    issues.push({ path: ['resolvers'], message: `duplicate resolver id "${id}"` });
  }
  for (const id of duplicates(catalogue.reflectors.map((reflector) => reflector.id))) {
    issues.push({ path: ['reflectors'], message: `duplicate reflector id "${id}"` });
  }

  catalogue.targets.forEach((target, index) => {
    const judges: [keyof JudgedBy, (judge: Target) => boolean, string][] = [
      ['domestic', (judge) => judge.control === 'domestic', 'a domestic control'],
      ['foreign', (judge) => judge.control === 'foreign', 'a foreign control'],
      ['same_hosting', (judge) => judge.kind === 'control', 'a control'],
    ];
    for (const [field, fits, expected] of judges) {
      target.judged_by[field].forEach((judgeId, judgeIndex) => {
        const judge = byId.get(judgeId);
        if (judge === undefined || !fits(judge)) {
          issues.push({
            path: ['targets', index, 'judged_by', field, judgeIndex],
            message: `"${judgeId}" is not ${expected} in this catalogue`,
          });
        }
      });
    }
    target.suite.dns?.resolvers.forEach((resolver, resolverIndex) => {
      if (resolver !== 'system' && !resolverIds.has(resolver)) {
        issues.push({
          path: ['targets', index, 'suite', 'dns', 'resolvers', resolverIndex],
          message: `unknown resolver "${resolver}"`,
        });
      }
    });
    target.suite.throughput.forEach((spec, specIndex) => {
      if (spec.source.kind === 'reflector' && !reflectorIds.has(spec.source.reflector)) {
        issues.push({
          path: ['targets', index, 'suite', 'throughput', specIndex, 'source', 'reflector'],
          message: `unknown reflector "${spec.source.reflector}"`,
        });
      }
    });
  });
  return issues;
}

function isIpPort(value: string): boolean {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value);
  if (match === null) return false;
  return Ip.safeParse(match[1]).success && Port.safeParse(Number(match[2])).success;
}
