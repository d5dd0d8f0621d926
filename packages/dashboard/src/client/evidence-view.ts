import type { Failure, Layer, Measurement } from '@reachmap/schema';
import { LAYER_TITLES, LAYERS } from '@reachmap/schema/layer-names';
import type { MeasurementResponse } from './api-types.ts';
import { element } from './element.ts';
import { formatBitsPerSecond, formatConfidence, formatSeconds, formatTime } from './format.ts';
import { throughputCurve } from './throughput-curve.ts';

type Cell = string | number | boolean | null | Node;

function cell(value: Cell): HTMLTableCellElement {
  if (value instanceof Node) return element('td', {}, value);
  return element('td', {}, value === null ? '–' : String(value));
}

function failureText(failure: Failure | null): string {
  return failure ?? 'ok';
}

function timing(observation: { t0: number; t: number }): string {
  return `${formatSeconds(observation.t0)} → ${formatSeconds(observation.t)}`;
}

/** One layer's section: a heading and a table of its observations, or a note that none were made. */
function layerSection(layer: Layer, headings: string[], rows: Cell[][]): HTMLElement {
  const title = LAYER_TITLES[layer];
  const body =
    rows.length === 0
      ? element('p', { class: 'muted' }, `No ${title} observations recorded.`)
      : element(
          'table',
          {},
          element(
            'thead',
            {},
            element(
              'tr',
              {},
              headings.map((heading) => element('th', { scope: 'col' }, heading)),
            ),
          ),
          element(
            'tbody',
            {},
            rows.map((row) => element('tr', {}, row.map(cell))),
          ),
        );
  return element('section', { class: 'layer', 'data-layer': layer }, element('h3', {}, title), body);
}

function dnsSection(m: Measurement): HTMLElement {
  return layerSection(
    'dns',
    ['Resolver', 'Query', 'Answers', 'Rcode', 'Result', 'Time'],
    m.observations.dns.map((query) => [
      `${query.resolver.kind}${query.resolver.address === null ? '' : ` ${query.resolver.address}`}`,
      `${query.hostname} ${query.query_type}`,
      query.answers.map((answer) => `${answer.type} ${answer.value}`).join(', ') || '(none)',
      query.rcode,
      failureText(query.failure),
      timing(query),
    ]),
  );
}

function tcpSection(m: Measurement): HTMLElement {
  return layerSection(
    'tcp',
    ['Address', 'Result', 'Time'],
    m.observations.tcp.map((connect) => [
      `${connect.ip}:${connect.port}`,
      failureText(connect.failure),
      timing(connect),
    ]),
  );
}

function tlsSection(m: Measurement): HTMLElement {
  return layerSection(
    'tls',
    ['Address', 'SNI', 'SNI role', 'ALPN', 'Version', 'Certificate', 'Result', 'Time'],
    m.observations.tls.map((handshake) => [
      `${handshake.ip}:${handshake.port}`,
      handshake.sni,
      element('span', { class: `badge sni-${handshake.sni_role}` }, handshake.sni_role),
      handshake.alpn_negotiated ?? handshake.alpn_offered.join(', '),
      handshake.tls_version,
      handshake.peer_certificates[0] === undefined
        ? null
        : `${handshake.peer_certificates[0].subject} (${handshake.validation.valid ? 'valid' : `invalid: ${failureText(handshake.validation.failure)}`})`,
      failureText(handshake.failure),
      timing(handshake),
    ]),
  );
}

function httpSection(m: Measurement): HTMLElement {
  return layerSection(
    'http',
    ['Hop', 'Request', 'Status', 'Title', 'Blockpage', 'Body', 'Result', 'Time'],
    m.observations.http.map((exchange) => [
      exchange.hop,
      `${exchange.request.method} ${exchange.request.url}`,
      exchange.response?.status ?? null,
      exchange.response?.title ?? null,
      exchange.response?.blockpage ?? null,
      exchange.response === null
        ? null
        : `${exchange.response.body_length} bytes${exchange.response.body_truncated ? ' (truncated)' : ''}`,
      failureText(exchange.failure),
      timing(exchange),
    ]),
  );
}

function quicSection(m: Measurement): HTMLElement {
  return layerSection(
    'quic',
    ['Address', 'SNI', 'Response', 'Result', 'Time'],
    m.observations.quic.map((probe) => [
      `${probe.ip}:${probe.port}`,
      probe.sni,
      probe.response,
      failureText(probe.failure),
      timing(probe),
    ]),
  );
}

function throughputSection(m: Measurement): HTMLElement {
  const runs = m.observations.throughput;
  const section = layerSection(
    'throughput',
    ['Run', 'SNI role', 'Bytes', 'Goodput', 'TTFB', 'Longest stall', 'Stalled after', 'Result'],
    runs.map((run) => [
      `${run.direction} #${run.connection}`,
      run.sni_role,
      run.bytes,
      formatBitsPerSecond(run.goodput_bps),
      run.ttfb_s === null ? null : formatSeconds(run.ttfb_s),
      formatSeconds(run.longest_stall_s),
      run.bytes_before_stall === null ? null : `${run.bytes_before_stall} bytes`,
      failureText(run.failure),
    ]),
  );
  if (runs.some((run) => run.samples.length > 0)) section.append(throughputCurve(runs));
  return section;
}

/** The dashboard's part of the layer registry (packages/schema/src/layers.ts): one section per layer. */
export const LAYER_SECTIONS: Record<Layer, (m: Measurement) => HTMLElement> = {
  dns: dnsSection,
  tcp: tcpSection,
  tls: tlsSection,
  http: httpSection,
  quic: quicSection,
  throughput: throughputSection,
};

/** Everything one measurement observed, layer by layer, with the verdict that was drawn from it. */
export function renderEvidence(
  container: HTMLElement,
  record: MeasurementResponse,
  onClose: () => void,
): void {
  const { measurement: m, verdict } = record;
  const simulated = m.source.kind === 'simulated';
  const parts: (HTMLElement | null)[] = [
    element(
      'header',
      { class: 'evidence-header' },
      element('h2', { tabindex: -1 }, `Measurement ${m.id}`),
      element('button', { type: 'button', onclick: onClose }, 'Close evidence'),
    ),
    simulated
      ? element('p', { class: 'banner simulated-banner' }, 'Simulated measurement (demo network or lab).')
      : null,
    element(
      'dl',
      { class: 'facts' },
      element('dt', {}, 'Target'),
      element('dd', {}, `${m.target.id} (${m.target.input ?? 'suite'})`),
      element('dt', {}, 'Network'),
      element(
        'dd',
        {},
        `${m.network.region ?? m.network.country}, AS${m.network.asn}, ${m.network.network_type}`,
      ),
      element('dt', {}, 'Agent'),
      element('dd', {}, `${m.agent.id} (${m.source.kind})`),
      element('dt', {}, 'Time'),
      element('dd', {}, `${formatTime(m.start_time)} → ${formatTime(m.end_time)}`),
      element('dt', {}, 'Verdict'),
      element(
        'dd',
        { class: `verdict verdict-${verdict.status}` },
        `${verdict.status}${verdict.method === null ? '' : ` by ${verdict.method}`}${verdict.layer === null ? '' : ` at ${verdict.layer}`}, confidence ${formatConfidence(verdict.confidence)}; controls ${record.controls}`,
      ),
    ),
    verdict.evidence.length === 0
      ? null
      : element(
          'ul',
          { class: 'verdict-evidence' },
          verdict.evidence.map((sentence) => element('li', {}, sentence)),
        ),
    ...LAYERS.map((layer) => LAYER_SECTIONS[layer](m)),
  ];
  container.replaceChildren(...parts.filter((part) => part !== null));
}
