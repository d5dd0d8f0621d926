export {
  type ClientLimitsConfig,
  type ParsedConfig,
  parseReflectorConfig,
  type ReflectorConfig,
} from './config.ts';
export { type RunningReflector, startReflector } from './reflector.ts';
