import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { callCollector } from '../collector/collector-client.ts';
import type { AgentIdentity } from '../identity/agent-identity.ts';
import { writeFileDurably } from '../spool/durable-file.ts';
import {
  type AgentConfiguration,
  type ConfigurationCheck,
  checkConfiguration,
} from './agent-configuration.ts';

export const CONFIG_FILE = 'config.json';

export interface SoftwareReport {
  version: string;
  update: { state: string; reason: string | null } | null;
}

export type RefreshResult =
  | { ok: true; configuration: AgentConfiguration; changed: boolean }
  | { ok: false; message: string };

/**
 * The last good configuration, on disk as the collector signed it so it is re-verified on every
 * start. A newer one replaces it only after passing every check; while the collector is away or
 * sends something that does not verify, the agent keeps measuring with the one it has.
 */
export class ConfigurationStore {
  readonly #stateDir: string;
  readonly #identity: AgentIdentity;
  #current: AgentConfiguration | null = null;

  constructor(stateDir: string, identity: AgentIdentity) {
    this.#stateDir = stateDir;
    this.#identity = identity;
  }

  get current(): AgentConfiguration | null {
    return this.#current;
  }

  /** Loads the stored configuration; an invalid one is reported and ignored. */
  async loadStored(): Promise<ConfigurationCheck | null> {
    let text: string;
    try {
      text = await readFile(join(this.#stateDir, CONFIG_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const check = this.#check(safeJson(text));
    if (check.ok) this.#current = check.configuration;
    return check;
  }

  /** Takes a signed configuration received some other way (enrolment answers with one). */
  async accept(document: unknown): Promise<RefreshResult> {
    const check = this.#check(document);
    if (!check.ok) return { ok: false, message: `configuration refused (${check.reason}): ${check.message}` };
    const current = this.#current;
    // A replayed older configuration must not bring back an old catalogue or schedule.
    if (current !== null && Date.parse(check.configuration.issuedAt) < Date.parse(current.issuedAt)) {
      return { ok: true, configuration: current, changed: false };
    }
    await writeFileDurably(join(this.#stateDir, CONFIG_FILE), `${JSON.stringify(check.signed)}\n`);
    this.#current = check.configuration;
    const changed = current === null || current.catalogueVersion !== check.configuration.catalogueVersion;
    return { ok: true, configuration: check.configuration, changed };
  }

  /**
   * Fetches, verifies and stores the collector's current configuration for this agent. `report` tells
   * the collector the running version and the last update check (its agent list shows them).
   */
  async refresh(signal?: AbortSignal, report?: SoftwareReport): Promise<RefreshResult> {
    const query = new URLSearchParams();
    if (report !== undefined) {
      query.set('version', report.version);
      if (report.update !== null) query.set('update', report.update.state);
      if (report.update?.reason) query.set('update_reason', report.update.reason);
    }
    const search = query.size === 0 ? '' : `?${query}`;
    const response = await callCollector(this.#identity.collector_url, {
      method: 'GET',
      path: `/v1/agents/me/config${search}`,
      signAs: { agentId: this.#identity.agent_id, privateKey: this.#identity.privateKey },
      timeoutMs: 30_000,
      signal,
    });
    if (!response.ok) return { ok: false, message: `${response.code}: ${response.message}` };
    return this.accept(response.body);
  }

  #check(document: unknown): ConfigurationCheck {
    return checkConfiguration(document, {
      agentId: this.#identity.agent_id,
      collectorKey: this.#identity.collectorKey,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
