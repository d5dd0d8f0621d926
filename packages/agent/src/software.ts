import packageJson from '../package.json' with { type: 'json' };

/** Stamped into the bundle by scripts/agent-bundle.ts; absent when the sources run unbundled. */
declare const REACHMAP_AGENT_BUILD_VERSION: string | undefined;

/** Recorded on every measurement (`agent.software`), sent at enrolment and compared by self-update. */
export const AGENT_SOFTWARE = {
  name: 'reachmap-agent',
  version:
    typeof REACHMAP_AGENT_BUILD_VERSION === 'string' ? REACHMAP_AGENT_BUILD_VERSION : packageJson.version,
} as const;
