export { isBogonAddress } from '@reachmap/ip-ranges';
export { createMeasurementClock, type MeasurementClock } from './clock.ts';
export { UnsupportedDnsQueryError } from './dns/lookup-system.ts';
export { type DnsResolver, probeDns } from './dns/probe-dns.ts';
export { InvalidResolverAddressError } from './dns/resolver-address.ts';
export { answerDnsOverTcp, frameDnsMessage, splitDnsMessages } from './dns/tcp-framing.ts';
export type { DnsQuestion } from './dns/wire.ts';
export {
  BLOCKPAGE_FINGERPRINTS,
  type BlockpageEvidence,
  BlockpageFingerprint,
  BlockpageFingerprints,
  matchBlockpage,
} from './http/blockpage.ts';
export {
  DEFAULT_BODY_CAP_BYTES,
  DEFAULT_MAX_REDIRECTS,
  type HttpProbeOptions,
  type HttpProbeRequest,
  probeHttp,
} from './http/probe-http.ts';
export { RECORDED_RESPONSE_HEADERS } from './http/recorded-headers.ts';
export type { DialRewrite, ProbeNetwork } from './network/probe-network.ts';
export type { ProbeContext } from './probe-options.ts';
export { probeQuic, type QuicTarget } from './quic/probe-quic.ts';
export { probeTcpConnect, type TcpConnectTarget } from './tcp/probe-tcp-connect.ts';
export {
  DEFAULT_MAX_DURATION_MS,
  DEFAULT_SAMPLE_INTERVAL_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  NOT_STARTED,
  probeThroughput,
  type ThroughputContext,
  type ThroughputLimits,
  type ThroughputTarget,
} from './throughput/probe-throughput.ts';
export { DEFAULT_SUITE_CONNECTIONS, probeThroughputSuite } from './throughput/probe-throughput-suite.ts';
export { createTransferMeter, type TransferStats } from './throughput/transfer-meter.ts';
export {
  DEFAULT_ALPN,
  probeTlsHandshake,
  type TlsHandshakeResult,
  type TlsHandshakeTarget,
} from './tls/probe-tls-handshake.ts';
export { secureContextFor } from './tls/secure-contexts.ts';
