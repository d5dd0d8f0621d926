import { ConfigurationStore } from '../config/configuration-store.ts';
import { loadIdentity } from '../identity/agent-identity.ts';
import { resolveStateDir } from '../identity/state-dir.ts';
import { runRound } from '../rounds/round-runner.ts';
import { formatRoundTable, summarizeRound } from '../rounds/round-summary.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import type { OnceOptions } from './agent-commands.ts';
import { extraTrustAnchors, measurementSource } from './agent-options.ts';
import { type CliIo, EXIT } from './cli-command.ts';

/** `reachmap-agent once` (declared in agent-commands.ts). */
export async function runOnce(values: OnceOptions, io: CliIo): Promise<number> {
  const stateDir = resolveStateDir(values.stateDir, io.env);
  const ca = await extraTrustAnchors(values);
  const identity = await loadIdentity(stateDir);
  const configuration = new ConfigurationStore(stateDir, identity);
  await configuration.loadStored();
  const refreshed = await configuration.refresh();
  if (!refreshed.ok) io.err(`warning: ${refreshed.message}; using the stored configuration`);
  const current = configuration.current;
  if (current === null) {
    io.err('reachmap-agent: no usable configuration (the collector is unreachable and none is stored)');
    return EXIT.failure;
  }
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  try {
    const report = await runRound({
      catalogue: current.catalogue,
      catalogueVersion: current.catalogueVersion,
      agent: { id: identity.agent_id, software: AGENT_SOFTWARE },
      network: identity.network,
      source: measurementSource(values),
      schedule: current.schedule,
      signal: interrupt.signal,
      onMeasurement: async () => {},
      ...io.extensions,
      ...(values.target === undefined ? {} : { only: values.target }),
      ...(ca === undefined ? {} : { ca }),
    });
    if (values.json === true) {
      for (const measurement of report.measurements) io.out(JSON.stringify(measurement));
    } else {
      io.out(`round ${report.id}, catalogue ${current.catalogueVersion}`);
      io.out(formatRoundTable(summarizeRound(report.measurements)));
    }
    for (const error of report.localErrors) io.err(`local error (${error.target}): ${error.message}`);
    return report.localErrors.length > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
