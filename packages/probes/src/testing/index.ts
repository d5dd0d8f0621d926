export { type LabDnsServer, startLabDnsServer } from './dns-server.ts';
export { answerDnsQuery, type LabDnsRecord, type LabDnsZone } from './dns-zone.ts';
export { type LabDohServer, startLabDohServer } from './doh-server.ts';
export { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';
export {
  type SniFilterAction,
  type SniFilterOptions,
  startSniFilteringServer,
} from './sni-filtering-server.ts';
export {
  startBlackholeListener,
  startClosingTcpServer,
  startResettingTcpServer,
  startSilentTcpServer,
} from './tcp-servers.ts';
export { startThroughputServer, type ThroughputServerOptions } from './throughput-server.ts';
export {
  type LoopbackUdpServer,
  startSilentUdpServer,
  startVersionNegotiationServer,
} from './udp-servers.ts';
export {
  createLabHttpsServer,
  LAB_BLOCKPAGE_HTML,
  LAB_TARGET_TITLE,
  labWebsite,
  startBlockpageServer,
  startLabHttpsServer,
  startLabWebServer,
} from './web-servers.ts';
