import { createMeasurementClock, probeDns, probeTcpConnect, probeThroughput } from '@reachmap/probes';

/** Runs one probe from inside an agent namespace and prints its observation as JSON (test helper). */
type ProbeRequest =
  | { kind: 'tcp'; ip: string; port: number; timeoutMs: number }
  | { kind: 'dns'; hostname: string; timeoutMs: number }
  | {
      kind: 'download';
      ip: string;
      port: number;
      bytes: number;
      maxDurationMs: number;
      stallTimeoutMs: number;
    };

const request = JSON.parse(process.argv[2] ?? '{}') as ProbeRequest;
const clock = createMeasurementClock();
const observation =
  request.kind === 'tcp'
    ? await probeTcpConnect({ ip: request.ip, port: request.port }, { clock, timeoutMs: request.timeoutMs })
    : request.kind === 'dns'
      ? await probeDns(
          { kind: 'system' },
          { hostname: request.hostname, type: 'A' },
          { clock, timeoutMs: request.timeoutMs },
        )
      : await probeThroughput(
          {
            ip: request.ip,
            port: request.port,
            tls: null,
            sniRole: 'target',
            path: `/download?bytes=${request.bytes}`,
          },
          {
            direction: 'download',
            bytes: request.bytes,
            maxDurationMs: request.maxDurationMs,
            stallTimeoutMs: request.stallTimeoutMs,
          },
          { clock, timeoutMs: 3_000 },
        );
process.stdout.write(`${JSON.stringify(observation)}\n`);
