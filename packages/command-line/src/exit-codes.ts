/** The exit codes every reachmap command line shares: scripts and systemd units rely on them. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
