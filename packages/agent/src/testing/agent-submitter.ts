import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { createAgentLogger } from '../runtime/agent-logger.ts';
import { Spool } from '../spool/spool.ts';
import { AgentStatusRecorder } from '../status/agent-status.ts';
import { RejectedLog } from '../submission/rejected-log.ts';
import { Submitter } from '../submission/submitter.ts';

/**
 * The agent's own spool and submitter for an agent enrolled elsewhere (a test's own enrolment), so
 * other workspaces' tests send measurements exactly as the agent does: spooled, gzip-compressed,
 * signed, with a `traceparent`.
 */
export async function openAgentSubmitter(options: {
  collectorUrl: string;
  agentId: string;
  privateKey: KeyObject;
  stateDir: string;
}): Promise<{ spool: Spool; submitter: Submitter }> {
  const { spool } = await Spool.open({ dir: join(options.stateDir, 'spool') });
  const submitter = new Submitter({
    collectorUrl: options.collectorUrl,
    caller: { agentId: options.agentId, privateKey: options.privateKey },
    spool,
    rejectedLog: new RejectedLog(options.stateDir),
    status: new AgentStatusRecorder(options.stateDir),
    logger: createAgentLogger('silent'),
  });
  return { spool, submitter };
}
