import { prettyFactory } from 'pino-pretty';
import type { RotatingLogFile } from './rotating-log-file.ts';
import type { StackStatus } from './stack-status.ts';

export type LogFormat = 'pretty' | 'json';

/** pino's numeric levels: 40 warn, 50 error, 60 fatal. */
const WARN = 40;

export interface Banner {
  apiUrl: string | undefined;
  collectorUrl: string | undefined;
  aggregatorMetricsUrl: string | undefined;
  dataDir: string;
  logFile: string;
  demo: boolean;
  components: string[];
}

/**
 * Where `reachmap up` writes. Every JSON log line (the supervisor's and its children's) goes to the
 * rotating file; `json` also passes them to stdout unchanged (production, journald); `pretty` (a
 * terminal) shows a banner, warnings and errors in human form, and a status block redrawn in place.
 */
export class StackOutput {
  readonly #format: LogFormat;
  readonly #file: RotatingLogFile;
  readonly #stdout: NodeJS.WritableStream;
  readonly #pretty: (record: Record<string, unknown>) => string;
  #statusLines = 0;
  #status: string[] = [];
  /** The terminal hung up or the reader went away: the file still gets every line. */
  #stdoutGone = false;

  constructor(format: LogFormat, file: RotatingLogFile, stdout: NodeJS.WritableStream, color: boolean) {
    this.#format = format;
    this.#file = file;
    this.#stdout = stdout;
    // A closed terminal (EIO) or reader (EPIPE) must not crash the supervisor mid-shutdown.
    stdout.on('error', () => this.stdoutGone());
    this.#pretty = prettyFactory({
      colorize: color,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,name,component,time,level',
      messageFormat: (log: Record<string, unknown>, messageKey: string) => {
        const level = Number(log.level) >= 50 ? 'ERROR' : 'WARN ';
        const time = new Date(String(log.time ?? Date.now())).toTimeString().slice(0, 8);
        const component = log.component === undefined ? '' : `${String(log.component)}: `;
        return `${time} ${level} ${component}${String(log[messageKey] ?? '')}`;
      },
    }) as (record: Record<string, unknown>) => string;
  }

  /** A pino destination for the supervisor's own logger. */
  get destination(): NodeJS.WritableStream {
    const write = (line: string) => {
      this.record(line);
      return true;
    };
    return { write } as unknown as NodeJS.WritableStream;
  }

  /** Stops writing to stdout (after a hang-up, or its first write error); the log file carries on. */
  stdoutGone(): void {
    this.#stdoutGone = true;
  }

  /** A line for people only (pretty); JSON readers get the matching log record instead. */
  notice(text: string): void {
    if (this.#format === 'pretty') this.#above(`${text}\n`);
  }

  /** One JSON log line. */
  record(line: string): void {
    const trimmed = line.trimEnd();
    this.#file.write(trimmed);
    if (this.#format === 'json') {
      this.#write(`${trimmed}\n`);
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      this.#above(`${trimmed}\n`);
      return;
    }
    if (Number(parsed.level) >= WARN) this.#above(this.#pretty(parsed));
  }

  banner(banner: Banner): void {
    if (this.#format === 'json') return;
    const rows = [
      ['dashboard', banner.apiUrl === undefined ? 'not run here' : `${banner.apiUrl}/`],
      ['collector', banner.collectorUrl ?? 'not run here'],
      ['metrics', metricsRow(banner)],
      ['data', banner.dataDir],
      ['full logs', banner.logFile],
      ['demo network', banner.demo ? 'on (simulated regions, labelled as such)' : 'off'],
      ['components', banner.components.join(', ')],
    ];
    const text = rows.map(([name, value]) => `  ${String(name).padEnd(13)}${value}`).join('\n');
    this.#above(`\nreachmap is running; press Ctrl-C to stop\n${text}\n\n`);
  }

  /** Redraws the status block (pretty only). */
  status(status: StackStatus): void {
    if (this.#format === 'json') return;
    this.#clearStatus();
    this.#status = renderStatus(status);
    this.#drawStatus();
  }

  /** Leaves the last status on screen and stops redrawing it. */
  finish(): void {
    this.#statusLines = 0;
    this.#status = [];
  }

  #above(text: string): void {
    this.#clearStatus();
    this.#write(text);
    this.#drawStatus();
  }

  #write(text: string): void {
    if (!this.#stdoutGone) this.#stdout.write(text);
  }

  #clearStatus(): void {
    // Cursor to the start of the block's first line, then clear to the end of the screen.
    if (this.#statusLines > 0) this.#write(`\x1b[${this.#statusLines}F\x1b[J`);
    this.#statusLines = 0;
  }

  #drawStatus(): void {
    if (this.#status.length === 0) return;
    this.#write(`${this.#status.join('\n')}\n`);
    this.#statusLines = this.#status.length;
  }
}

/** A count with its unit, singular for 1 (`many` is the unit shown for every other count and for none read yet). */
const show = (value: number | null, many: string, one: string = many) =>
  value === null ? `– ${many}` : `${value} ${value === 1 ? one : many}`;

/** The status block: components on one line, what they do on the next, the last event on a third. */
export function renderStatus(status: StackStatus): string[] {
  const parts = status.components.map(({ name, state, restarts }) =>
    restarts > 0 ? `${name} ${state} (restarted ${restarts}×)` : `${name} ${state}`,
  );
  const rate = status.measurementsPerMinute === null ? null : Math.round(status.measurementsPerMinute);
  return [
    `── ${parts.join(' · ')}`,
    `   ${[
      show(status.agentsSeen, 'agents seen', 'agent seen'),
      show(rate, 'measurements/min'),
      show(status.queueDepth, 'queued'),
      show(status.statesOpen, 'states open', 'state open'),
    ].join(' · ')}`,
    `   last event: ${status.lastEvent ?? 'none yet'}`,
  ];
}

/** Where Prometheus scrapes the parts run here: the collector and API serve /metrics on their own port. */
function metricsRow(banner: Banner): string {
  const urls = [
    banner.collectorUrl && `${banner.collectorUrl}/metrics`,
    banner.apiUrl && `${banner.apiUrl}/metrics`,
    banner.aggregatorMetricsUrl,
  ].filter((url): url is string => typeof url === 'string' && url !== '');
  return urls.length === 0 ? 'none run here' : urls.join('  ');
}
