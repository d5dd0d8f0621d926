import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { createAgentLogger } from '../runtime/agent-logger.ts';
import { Spool } from '../spool/spool.ts';
import { AgentStatusRecorder } from '../status/agent-status.ts';
import { RejectedLog } from '../submission/rejected-log.ts';
import { submitSpanExport } from '../submission/submit-span.ts';
import { Submitter } from '../submission/submitter.ts';

/**
 * The agent's own spool and submitter for an agent enrolled elsewhere (a test's own enrolment), so
 * other workspaces' tests send measurements exactly as the agent does: spooled, gzip-compressed,
 * signed, with a `traceparent` (and its own span exported when `env` asks for it).
 */
export async function openAgentSubmitter(options: {
  collectorUrl: string;
  agentId: string;
  privateKey: KeyObject;
  stateDir: string;
  /** The OTEL_* variables the agent would see (its own span is exported only when they ask). */
  env?: NodeJS.ProcessEnv;
}): Promise<{ spool: Spool; submitter: Submitter }> {
  const { spool } = await Spool.open({ dir: join(options.stateDir, 'spool') });
  const submitter = new Submitter({
    collectorUrl: options.collectorUrl,
    caller: { agentId: options.agentId, privateKey: options.privateKey },
    spool,
    rejectedLog: new RejectedLog(options.stateDir),
    status: new AgentStatusRecorder(options.stateDir),
    logger: createAgentLogger('silent'),
    spanExport: submitSpanExport(options.env ?? {}),
  });
  return { spool, submitter };
}
