/** The baseline's own queue, apart from reachmap's keys on the same Redis. */
export const BASELINE_QUEUE = 'bare-baseline';
export const BASELINE_PREFIX = '{bench}';
