import { gzipSync } from 'node:zlib';
import type { Measurement } from '@reachmap/schema';
import fc from 'fast-check';

/**
 * Hostile requests as data: each arbitrary describes one request, the runner signs and sends it. They
 * grow from a valid measurement (a tampered copy is more likely to reach deep code than random bytes)
 * and from the API's OpenAPI document (every route, every parameter).
 */
export type HostileRequest =
  | { kind: 'submit'; items: unknown[]; gzip: boolean; spoolDropped: unknown; valid: boolean }
  | { kind: 'replay' }
  | { kind: 'forged'; body: string }
  | {
      kind: 'raw-collector';
      method: string;
      path: string;
      headers: Record<string, string>;
      body: Buffer | null;
    }
  | { kind: 'api'; method: string; path: string; headers: Record<string, string>; body: string | null };

/** Values at and past the edges of what fields hold. */
const boundaryValue = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    1,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    1e308,
    Number.NaN,
    '',
    '0',
    'XX',
    'ZZ',
    '1969-12-31T23:59:59Z',
    '9999-12-31T23:59:59Z',
    '2026-02-30T00:00:00Z',
    '2026-13-45',
    '__proto__',
    'constructor',
    null,
    true,
    [],
    {},
  ),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constant('x'.repeat(5000)),
  fc.anything({ maxDepth: 3, maxKeys: 5 }),
);

/** Every JSON path of an object, as key lists, so a mutation can hit any field. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
}

function valueAt(target: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], target);
}

function setAt(target: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: Record<string, unknown> = Array.isArray(target)
    ? ([...target] as unknown as Record<string, unknown>)
    : { ...(target as Record<string, unknown>) };
  const [head = '', ...rest] = path;
  copy[head] = setAt(copy[head], rest, value);
  return copy;
}

/** A measurement with one to three fields replaced by boundary or random values. */
function tamperedMeasurement(valid: () => Measurement): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.array(fc.tuple(fc.nat(), boundaryValue), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([edits, dropKey]) => {
      const base = valid();
      const paths = pathsOf(base);
      let out: unknown = base;
      for (const [pick, value] of edits) {
        const path = paths[pick % paths.length] ?? [];
        out = dropKey && path.length > 0 ? setAt(out, path, undefined) : setAt(out, path, value);
      }
      return out;
    });
}

/** Oversized shapes: long arrays, many samples, deep nesting. */
function oversizedMeasurement(valid: () => Measurement): fc.Arbitrary<unknown> {
  return fc.constantFrom('tcp', 'samples', 'nesting', 'events').map((shape) => {
    const base = valid();
    if (shape === 'tcp') {
      const tcp = Array.from({ length: 400 }, () => ({ ip: 'x', port: 0, failure: 'bad', t0: -1, t: -1 }));
      return { ...base, observations: { ...base.observations, tcp } };
    }
    if (shape === 'samples') {
      const run = {
        direction: 'download',
        connection: 0,
        ip: '198.18.0.10',
        port: 443,
        sni: null,
        sni_role: 'target',
        samples: Array.from({ length: 3000 }, (_, i) => [i * 0.1, i]),
        bytes: 3000,
        duration_s: 300,
        ttfb_s: 0,
        goodput_bps: 1,
        longest_stall_s: 0,
        bytes_before_stall: null,
        failure: null,
        t0: 0,
        t: 300,
      };
      return {
        ...base,
        observations: { ...base.observations, throughput: Array.from({ length: 6 }, () => run) },
      };
    }
    if (shape === 'nesting') {
      let deep: unknown = 1;
      for (let depth = 0; depth < 500; depth += 1) deep = { a: deep };
      return { ...base, target: { ...base.target, input: deep } };
    }
    return { ...base, padding: 'y'.repeat(600 * 1024) };
  });
}

export function collectorRequests(valid: () => Measurement): fc.Arbitrary<HostileRequest> {
  const submit = fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(null).map(() => ({ valid: true, item: valid() as unknown })) },
          { weight: 4, arbitrary: tamperedMeasurement(valid).map((item) => ({ valid: false, item })) },
          { weight: 1, arbitrary: oversizedMeasurement(valid).map((item) => ({ valid: false, item })) },
          { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }).map((item) => ({ valid: false, item })) },
        ),
        { minLength: 1, maxLength: 8 },
      ),
      fc.boolean(),
      fc.option(fc.oneof(fc.record({ count: boundaryValue, since: boundaryValue }), boundaryValue)),
    )
    .map(
      ([entries, gzip, spoolDropped]): HostileRequest => ({
        kind: 'submit',
        items: entries.map((entry) => entry.item),
        gzip,
        spoolDropped,
        // "valid" = every item came from the valid generator untouched; tampered ones may still pass.
        valid: entries.every((entry) => entry.valid),
      }),
    );
  const raw = fc
    .tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      fc.constantFrom(
        '/v1/measurements',
        '/v1/agents/enroll',
        '/v1/agents/me/config',
        '/healthz',
        '/readyz',
        '/metrics',
        '/nope',
        '/v1/openapi.json',
      ),
      fc.dictionary(
        fc.constantFrom(
          'content-type',
          'content-encoding',
          'x-reachmap-agent',
          'x-reachmap-signature',
          'x-reachmap-timestamp',
          'x-reachmap-nonce',
        ),
        fc.oneof(
          fc.constantFrom('application/json', 'gzip', 'br', 'agt_0000000000000000000000', ''),
          fc.string({ maxLength: 60 }),
        ),
        { maxKeys: 4 },
      ),
      fc.oneof(
        fc.constant(null),
        fc.json().map((text) => Buffer.from(text)),
        fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
        fc.constant(gzipSync(Buffer.alloc(2 * 1024 ** 2, 0x20))),
        fc.constant(Buffer.from('{"token":"rmt_x","public_key":"A","network":{}}')),
      ),
    )
    .map(
      ([method, path, headers, body]): HostileRequest => ({
        kind: 'raw-collector',
        method,
        path,
        headers,
        body,
      }),
    );
  return fc.oneof(
    { weight: 6, arbitrary: submit },
    { weight: 1, arbitrary: fc.constant({ kind: 'replay' } as HostileRequest) },
    { weight: 1, arbitrary: fc.json().map((body): HostileRequest => ({ kind: 'forged', body })) },
    { weight: 3, arbitrary: raw },
  );
}

interface OpenApiParameter {
  name: string;
  in: string;
}
type OpenApiDocument = { paths: Record<string, Record<string, { parameters?: OpenApiParameter[] }>> };

/** Requests for every route and parameter the API's OpenAPI document lists, with hostile values. */
export function apiRequests(document: OpenApiDocument, adminKey: string): fc.Arbitrary<HostileRequest> {
  const operations = operationsOf(document);
  const parameterValue = fc.oneof(
    boundaryValue.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))),
    fc.constantFrom(
      '2026-11-23T10:00:00Z',
      '1970-01-01T00:00:00Z',
      'RU',
      'RU-MOW',
      'AS64500',
      'whatsapp',
      '1h',
      '5m',
      '1d',
      'zzz',
      '9999999999999-0',
      '0-0',
    ),
  );
  return fc
    .tuple(
      fc.constantFrom(...operations),
      fc.array(fc.tuple(fc.nat(), parameterValue), { maxLength: 5 }),
      fc.boolean(),
      fc.oneof(
        fc.constant(null),
        fc.json(),
        fc.constantFrom(
          '{"url": ',
          '{nope',
          '[]',
          '{"url":"http://127.0.0.1:1/x","event_types":["block.started"]}',
        ),
      ),
    )
    .map(([operation, values, asAdmin, body]) =>
      apiRequest(
        operation,
        values.flatMap(([pick, value]) => {
          const parameter = operation.parameters[pick % Math.max(1, operation.parameters.length)];
          return parameter === undefined ? [] : [[parameter, value] as const];
        }),
        asAdmin ? adminKey : null,
        body,
      ),
    );
}

interface ApiOperation {
  path: string;
  method: string;
  parameters: OpenApiParameter[];
}

function operationsOf(document: OpenApiDocument): ApiOperation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      path,
      method: method.toUpperCase(),
      parameters: operation.parameters ?? [],
    })),
  );
}

/** One API request: each value in its parameter's place (path, header or query). */
function apiRequest(
  operation: ApiOperation,
  values: ReadonlyArray<readonly [OpenApiParameter, string]>,
  adminKey: string | null,
  body: string | null,
): HostileRequest {
  const query = new URLSearchParams();
  const headers: Record<string, string> = adminKey === null ? {} : { authorization: `Bearer ${adminKey}` };
  let path = operation.path;
  for (const [parameter, value] of values) {
    if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(value));
    else if (parameter.in === 'header') headers[parameter.name] = value.replace(/[^\x20-\x7e]/g, '');
    else query.append(parameter.name, value);
  }
  path = path.replace(/\{[^}]+\}/g, 'whk_0000000000000000000000');
  if (body !== null) headers['content-type'] = 'application/json';
  const search = query.toString();
  return {
    kind: 'api',
    method: operation.method,
    path: search === '' ? path : `${path}?${search}`,
    headers,
    body: operation.method === 'GET' || operation.method === 'DELETE' ? null : body,
  };
}

/**
 * Names every plain object inherits. Used as a key into an object literal, each answers from
 * Object.prototype (a function, not `undefined`) unless the lookup guards against it.
 */
export const INHERITED_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] as const;

/** OONI provenance an agent may not send; carried so its string fields are swept too. */
const PROVENANCE = {
  report_id: '20261205T000000Z_webconnectivity_RU_64500_n1_x',
  measurement_uid: null,
  test_name: 'web_connectivity',
  anomaly: null,
  confirmed: null,
  failure: null,
};

/**
 * The same requests every run: each string field of a valid measurement, and each API parameter, set to
 * each inherited name. A target id of `constructor` (a valid slug) once sent a measurement the collector
 * had accepted to the dead letters; random sampling reaches such a value about once in many runs.
 */
export function inheritedNameSweep(
  valid: () => Measurement,
  document: OpenApiDocument,
  adminKey: string,
): HostileRequest[] {
  const withProvenance = (): Measurement => {
    const measurement = valid();
    return { ...measurement, source: { ...measurement.source, ooni: PROVENANCE } };
  };
  const submits = [valid, withProvenance].flatMap((make) => {
    const base = make();
    return pathsOf(base)
      .filter((path) => typeof valueAt(base, path) === 'string')
      .map(
        (path): HostileRequest => ({
          kind: 'submit',
          items: INHERITED_NAMES.map((name) => setAt(make(), path, name)),
          gzip: false,
          spoolDropped: null,
          valid: false,
        }),
      );
  });
  const api = operationsOf(document).flatMap((operation) =>
    operation.parameters.flatMap((parameter) =>
      INHERITED_NAMES.map((name) => apiRequest(operation, [[parameter, name]], adminKey, null)),
    ),
  );
  return [...submits, ...api];
}
