import { ConfigurationStore } from '../config/configuration-store.ts';
import { loadIdentity } from '../identity/agent-identity.ts';
import { resolveStateDir } from '../identity/state-dir.ts';
import { runRound } from '../rounds/round-runner.ts';
import { formatRoundTable, summarizeRound } from '../rounds/round-summary.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { extraTrustAnchors, MEASURING_OPTIONS, measurementSource } from './agent-options.ts';
import { type CliCommand, EXIT } from './cli-command.ts';

export const onceCommand: CliCommand = {
  name: 'once',
  summary: 'measure one round now and print the results (a check; nothing is submitted)',
  usage: `reachmap-agent once [--target ID] [options]

Runs one round now with the current configuration (fetched from the collector, or the stored one when
it is unreachable) and prints a table: each target, each layer's result, timings and a hint. The hint is
a first look, not a verdict: the collector's classifier judges with the controls of many agents. The
measurements are not spooled or submitted; the running service measures on its own schedule.

Exits 1 on local errors (no configuration, a probe that crashed), not when a target is blocked.

Options:
  --target ID           measure only this catalogue target and the controls that judge it
  --simulated           mark measurements as simulated (lab and demo networks)
  --ca-file PATH        extra trust anchors in PEM for TLS validation (the lab CA)
  --json                print the measurements as JSON lines instead of the table
  --state-dir DIR       state directory
  -h, --help            show this help`,
  options: { ...MEASURING_OPTIONS, target: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, io) {
    const stateDir = resolveStateDir(values['state-dir'] as string | undefined, io.env);
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
        ...(typeof values.target === 'string' ? { only: values.target } : {}),
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
  },
};
