import packageJson from '../package.json' with { type: 'json' };

/** Recorded on every measurement (`agent.software`) and sent at enrolment. */
export const AGENT_SOFTWARE = { name: 'reachmap-agent', version: packageJson.version } as const;
