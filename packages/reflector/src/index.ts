export {
  type ClientLimitsConfig,
  loadReflectorConfig,
  type ReflectorConfig,
} from './config.ts';
export { type RunningReflector, startReflector } from './reflector.ts';
export { sendSegmentSizedRecords, TLS_HANDSHAKE_RECORD } from './tls-records.ts';
export { TokenBucket } from './token-bucket.ts';
