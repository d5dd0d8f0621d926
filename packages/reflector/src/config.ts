import { ConfigError, filePath, type LoadConfigOptions, loadConfig, logLevel } from '@reachmap/config';
import type { LogLevel } from '@reachmap/telemetry/log-policy';
import { z } from 'zod';

const MIB = 1024 * 1024;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting comes from the environment or `$REACHMAP_CONFIG`, read by the loader every reachmap
 * process uses (docs/reflector.md lists them with their reasons). The
 * defaults let one reflector serve a few dozen agents running the catalogue's throughput suites
 * (5 connections × ≤ 64 MiB) while capping what any one address can pull from it.
 */
const ReflectorEnv = z.object({
  REFLECTOR_HOST: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  REFLECTOR_PORT: integer(0, 65_535).default(8443),
  /** UDP port answering QUIC Initials; defaults to REFLECTOR_PORT, as a QUIC server shares its TLS port. */
  REFLECTOR_QUIC_PORT: integer(0, 65_535).optional(),
  REFLECTOR_TLS_CERT_FILE: filePath().optional(),
  REFLECTOR_TLS_KEY_FILE: filePath().optional(),
  /** Names for the certificate generated at start when no files are configured. */
  REFLECTOR_TLS_NAMES: z
    .string()
    .default('reflector.reachmap.lab')
    .transform((value) => value.split(',').map((name) => name.trim()))
    .pipe(z.array(z.hostname()).min(1)),
  REFLECTOR_MAX_REQUEST_BYTES: integer(1, 1024 * MIB).default(64 * MIB),
  REFLECTOR_CLIENT_BYTES_PER_WINDOW: integer(1, 1024 * 1024 * MIB).default(1024 * MIB),
  REFLECTOR_CLIENT_WINDOW_SECONDS: integer(1, 86_400).default(3600),
  REFLECTOR_CLIENT_RATE_BYTES_PER_SECOND: integer(1024, 10_000 * MIB).default(12_500_000),
  REFLECTOR_CLIENT_BURST_BYTES: integer(16_384, 1024 * MIB).default(MIB),
  REFLECTOR_MAX_CONNECTIONS_PER_CLIENT: integer(1, 10_000).default(16),
  LOG_LEVEL: logLevel(),
});

export interface ReflectorConfig {
  host: string;
  port: number;
  quicPort: number;
  /**
   * `pem` is for callers that already hold the credentials (the lab's world): nothing touches the
   * disk, so a killed process leaves no private key behind.
   */
  tls:
    | { kind: 'files'; certFile: string; keyFile: string }
    | { kind: 'pem'; chainPem: string; privateKeyPem: string }
    | { kind: 'generate'; names: string[] };
  limits: ClientLimitsConfig;
  logLevel: LogLevel;
}

export interface ClientLimitsConfig {
  maxRequestBytes: number;
  bytesPerWindow: number;
  windowSeconds: number;
  rateBytesPerSecond: number;
  burstBytes: number;
  maxConnectionsPerClient: number;
}

/**
 * Reads the reflector's settings; every bad value is reported at once, naming its variable
 * (`ConfigError`), as for the other processes. Certificate paths come back absolute.
 */
export function loadReflectorConfig(options: LoadConfigOptions = {}): ReflectorConfig {
  const e = loadConfig(ReflectorEnv, options);
  const certFile = e.REFLECTOR_TLS_CERT_FILE;
  const keyFile = e.REFLECTOR_TLS_KEY_FILE;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const missing = certFile === undefined ? 'REFLECTOR_TLS_CERT_FILE' : 'REFLECTOR_TLS_KEY_FILE';
    throw new ConfigError(
      [{ variable: missing, problem: 'set both certificate and key files, or neither', value: undefined }],
      'environment',
    );
  }
  return {
    host: e.REFLECTOR_HOST,
    port: e.REFLECTOR_PORT,
    quicPort: e.REFLECTOR_QUIC_PORT ?? e.REFLECTOR_PORT,
    tls:
      certFile !== undefined && keyFile !== undefined
        ? { kind: 'files', certFile, keyFile }
        : { kind: 'generate', names: e.REFLECTOR_TLS_NAMES },
    limits: {
      maxRequestBytes: e.REFLECTOR_MAX_REQUEST_BYTES,
      bytesPerWindow: e.REFLECTOR_CLIENT_BYTES_PER_WINDOW,
      windowSeconds: e.REFLECTOR_CLIENT_WINDOW_SECONDS,
      rateBytesPerSecond: e.REFLECTOR_CLIENT_RATE_BYTES_PER_SECOND,
      burstBytes: e.REFLECTOR_CLIENT_BURST_BYTES,
      maxConnectionsPerClient: e.REFLECTOR_MAX_CONNECTIONS_PER_CLIENT,
    },
    logLevel: e.LOG_LEVEL,
  };
}
