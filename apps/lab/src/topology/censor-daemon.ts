import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import type { ZoneRecord } from '@reachmap/targets';
import { startLyingResolver } from '../censor/lying-resolver.ts';
import type { ResolvedRule } from '../censor/resolve-rules.ts';
import { exitWithParent } from '../runner/exit-with-parent.ts';

/** Same page the probes' blockpage fingerprint for the lab recognises (packages/probes, testing). */
export const LAB_BLOCKPAGE_HTML =
  '<!doctype html><html><head><title>Access restricted (reachmap lab)</title></head>' +
  '<body><h1>Access to this resource is restricted.</h1></body></html>';

export interface CensorDaemonConfig {
  host: string;
  rules: ResolvedRule[];
  zone: ZoneRecord[];
  agentIps: string[];
}

/** One line on the daemon's stdin: the region's rules from now on, acknowledged by `rules <seq>`. */
export interface CensorDaemonUpdate {
  seq: number;
  rules: ResolvedRule[];
}

/**
 * Runs inside a censor router (`ip netns exec <router> node censor-daemon.ts '<json>'`): the lying
 * resolver on :53 and the blockpage on :80 that DNS and blockpage rules DNAT agents to. A phase sends
 * the new rules as a line on stdin: starting a Node process under the load of three worlds took 6-8 s,
 * which made every DNS phase that late (docs/lab.md).
 */
async function main(config: CensorDaemonConfig): Promise<void> {
  const resolver = await startLyingResolver({
    host: config.host,
    port: 53,
    rules: config.rules,
    zone: config.zone,
    agentIndexOf: (ip) => {
      const index = config.agentIps.indexOf(ip);
      return index === -1 ? null : index;
    },
  });
  const blockpage = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(LAB_BLOCKPAGE_HTML);
  });
  await new Promise<void>((resolve) => blockpage.listen(80, config.host, resolve));
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const update = JSON.parse(line) as CensorDaemonUpdate;
    resolver.setRules(update.rules);
    process.stdout.write(`rules ${update.seq}\n`);
  }
}

if (import.meta.main) {
  // Its router namespace goes with the lab's teardown; a lab that died first must not leave it serving.
  exitWithParent(() => process.exit(0));
  await main(JSON.parse(process.argv[2] ?? '{}') as CensorDaemonConfig);
}
