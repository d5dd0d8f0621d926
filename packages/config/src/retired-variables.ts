/**
 * Variables reachmap once read and no longer does, with what replaced them. Set, they would be
 * ignored in silence (a debug level that never comes), so the loader refuses them by name instead.
 */
export const RETIRED_VARIABLES: Readonly<Record<string, string>> = {
  REACHMAP_AGENT_LOG_LEVEL: 'LOG_LEVEL',
  REFLECTOR_LOG_LEVEL: 'LOG_LEVEL',
};
