import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../spool/durable-file.ts';

const MAX_RECENT_ERRORS = 10;
const MAX_RECENT_ROUNDS = 3;

const RoundRecord = z.object({
  id: z.string(),
  started_at: z.iso.datetime(),
  measurements: z.number().int(),
  local_errors: z.number().int(),
  /** Null in status files written before the agent recorded them. */
  duration_s: z.number().min(0).nullable().default(null),
  deadline_s: z.number().min(0).nullable().default(null),
  hit_deadline: z.boolean().default(false),
  /** Per target, the agent's first look at it (round-summary.ts hints, as `once` prints), not the classifier's verdict. */
  verdicts: z.array(z.object({ target: z.string(), kind: z.string(), hint: z.string() })).default([]),
});

/** What `reachmap-agent status` shows besides the spool: written by the running agent as things happen. */
export const AgentStatusFile = z.object({
  pid: z.number().int(),
  started_at: z.iso.datetime(),
  last_submit_at: z.iso.datetime().nullable(),
  delivered_total: z.number().int().min(0),
  last_round: RoundRecord.nullable(),
  /** The last few rounds, newest first. */
  recent_rounds: z.array(RoundRecord).default([]),
  catalogue_version: z.string().nullable(),
  /** The program version that wrote this file, and its last self-update check (update/self-update.ts). */
  software_version: z.string().nullable().default(null),
  update: z
    .object({
      state: z.enum(['current', 'installed', 'refused', 'pinned', 'off', 'unavailable', 'failed']),
      served_version: z.string().nullable(),
      reason: z.string().nullable(),
      message: z.string().nullable(),
      checked_at: z.iso.datetime(),
    })
    .nullable()
    .default(null),
  recent_errors: z.array(z.object({ at: z.iso.datetime(), where: z.string(), message: z.string() })),
});
export type AgentStatusFile = z.infer<typeof AgentStatusFile>;

export const STATUS_FILE = 'status.json';

export async function readAgentStatus(stateDir: string): Promise<AgentStatusFile | null> {
  try {
    return AgentStatusFile.parse(JSON.parse(await readFile(join(stateDir, STATUS_FILE), 'utf8')));
  } catch {
    return null;
  }
}

/** Keeps the status file current; writes are serialised so the newest state always lands last. */
export class AgentStatusRecorder {
  readonly #stateDir: string;
  readonly #path: string;
  #status: AgentStatusFile;
  #writing: Promise<void> = Promise.resolve();

  constructor(stateDir: string, now: number = Date.now()) {
    this.#stateDir = stateDir;
    this.#path = join(stateDir, STATUS_FILE);
    this.#status = {
      pid: process.pid,
      started_at: new Date(now).toISOString(),
      last_submit_at: null,
      delivered_total: 0,
      last_round: null,
      recent_rounds: [],
      catalogue_version: null,
      software_version: null,
      update: null,
      recent_errors: [],
    };
  }

  get current(): AgentStatusFile {
    return this.#status;
  }

  /** Carries the history of the previous run over (a restart should not hide yesterday's errors). */
  async resume(): Promise<void> {
    const previous = await readAgentStatus(this.#stateDir);
    if (previous === null) return;
    this.#status = { ...previous, pid: this.#status.pid, started_at: this.#status.started_at };
  }

  submitted(count: number, now: number = Date.now()): Promise<void> {
    return this.#update({
      last_submit_at: new Date(now).toISOString(),
      delivered_total: this.#status.delivered_total + count,
    });
  }

  roundFinished(round: NonNullable<AgentStatusFile['last_round']>): Promise<void> {
    return this.#update({
      last_round: round,
      recent_rounds: [round, ...this.#status.recent_rounds].slice(0, MAX_RECENT_ROUNDS),
    });
  }

  catalogueInUse(version: string): Promise<void> {
    return this.#update({ catalogue_version: version });
  }

  /** The running version (a restart after an update changes it) and the last update check. */
  softwareVersion(version: string): Promise<void> {
    return this.#update({ software_version: version });
  }

  updateChecked(update: NonNullable<AgentStatusFile['update']>): Promise<void> {
    return this.#update({ update });
  }

  error(where: string, message: string, now: number = Date.now()): Promise<void> {
    const entry = { at: new Date(now).toISOString(), where, message };
    return this.#update({
      recent_errors: [entry, ...this.#status.recent_errors].slice(0, MAX_RECENT_ERRORS),
    });
  }

  #update(change: Partial<AgentStatusFile>): Promise<void> {
    this.#status = { ...this.#status, ...change };
    const snapshot = `${JSON.stringify(this.#status, null, 2)}\n`;
    this.#writing = this.#writing.then(() => writeFileDurably(this.#path, snapshot)).catch(() => undefined);
    return this.#writing;
  }
}
