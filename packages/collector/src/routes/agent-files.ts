import { HttpError } from '@reachmap/server-kit';
import type { Context } from 'hono';
import { type AgentFiles, installerFor } from '../agent-files/agent-files.ts';
import type { CollectorEnv } from '../http/collector-env.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';

/** An origin safe to paste into a shell script: scheme, host, port, nothing else. */
const SAFE_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * What an operator needs to run an agent, with no repository checkout: the installer, the program
 * (signed with the collector's key, its SHA-256 beside it) and the systemd unit. Public, like the
 * catalogue's addresses: nothing here is secret, and the token is what admits an agent.
 */
export function registerAgentFilesRoutes(app: CollectorApp, deps: RouteDeps): void {
  const files = (): AgentFiles => {
    if (deps.agentFiles === null) {
      throw new HttpError(
        404,
        'agent_files_unavailable',
        'this collector serves no agent program; its operator sets AGENT_DIST_DIR to the agent build',
      );
    }
    return deps.agentFiles;
  };
  const text = (c: Context<CollectorEnv>, body: string, type: string) =>
    c.body(body, 200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-cache' });

  app.get('/agent/reachmap-agent.mjs', (c) => {
    const served = files();
    return c.body(new Uint8Array(served.bundle), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
      etag: `"${served.signed.manifest.sha256}"`,
      'x-reachmap-agent-version': served.version,
    });
  });
  app.get('/agent/reachmap-agent.mjs.sig', (c) => {
    c.header('cache-control', 'no-cache');
    return c.json(files().signed, 200);
  });
  app.get('/agent/reachmap-agent.mjs.sha256', (c) => text(c, files().sha256Line, 'text/plain'));
  app.get('/agent/reachmap-agent.service', (c) => text(c, files().unit, 'text/plain'));
  app.get('/agent/install.sh', (c) => {
    const served = files();
    const origin = deps.publicUrl ?? new URL(c.req.url).origin;
    if (!SAFE_ORIGIN.test(origin)) {
      throw new HttpError(400, 'bad_host', 'the Host header is not a plain host name or address');
    }
    return text(c, installerFor(served, origin), 'text/x-shellscript');
  });
}
