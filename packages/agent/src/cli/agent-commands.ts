import { Command } from '@reachmap/command-line';
import { withMeasuringOptions } from './agent-options.ts';

/**
 * What `reachmap-agent`'s commands accept, declared apart from what they do: help and completion
 * read these, while each command's module (and its schemas) is evaluated only when it runs, so the
 * long-running `run` carries none of enroll's, once's or status's code.
 */

const STATE_DIR =
  'state directory (default: $REACHMAP_AGENT_DIR, /var/lib/reachmap-agent as root, else $XDG_STATE_HOME/reachmap-agent)';

export function enrollDeclaration() {
  return new Command('enroll')
    .summary('register this agent with a collector (once per machine)')
    .description(`Generates this agent's Ed25519 key (kept in the state directory, mode 0600), registers it with the collector using a one-time token from "reachmap admin token create", pins the collector's public key and stores the location and the first configuration.

The collector proposes the country, region and ASN of the address it sees this machine at (from its GeoIP database) and of the address a control endpoint sees it at (the agent's own view: a reflector's /address, offered by the collector or given with --address-echo). Leave --country, --asn and --region out to take the proposal, repeat them to confirm it, or declare others with --override-reason; when the two views disagree, declare with a reason. A collector without a GeoIP database proposes nothing: then --country and --asn are required.`)
    .requiredOption('--collector <url>', "the collector's base URL, e.g. https://collector.example.org")
    .requiredOption('--token <token>', 'one-time enrolment token')
    .option('--country <cc>', 'ISO 3166-1 alpha-2 country the agent measures from, e.g. RU')
    .option('--asn <n>', 'the autonomous system number of this network, e.g. 12389')
    .option(
      '--override-reason <reason>',
      "why the declared country or ASN differs from the collector's proposal",
    )
    .option('--region <code>', 'ISO 3166-2 region, e.g. RU-MOW (default: the detected one, if any)')
    .option(
      '--address-echo <url>',
      "where to learn this machine's public address (default: the collector's offer)",
    )
    .option('--network-type <type>', 'fixed | mobile | datacenter | unknown (default: unknown)')
    .option('--label <label>', "a name for this agent in the collector's list (optional)")
    .option('--state-dir <dir>', STATE_DIR);
}

export function runDeclaration() {
  return withMeasuringOptions(new Command('run'))
    .summary('run the agent: measure every interval and submit (what the service runs)')
    .description(
      `Measures a round every interval of the collector's schedule, spools every measurement durably and submits the spool to the collector. Stops cleanly on SIGTERM, SIGINT or SIGHUP (a closed terminal).`,
    )
    .option(
      '--spool-max-mb <n>',
      'bound of the local spool (default 100, or $REACHMAP_AGENT_SPOOL_MAX_MB); when full the oldest measurements are dropped and the count reported',
    )
    .option('--shutdown-grace-s <n>', 'seconds running probes get to finish on SIGTERM (default 10)')
    .option(
      '--update <policy>',
      'auto (default, or $REACHMAP_AGENT_UPDATE): install newer versions the collector serves, signed with its key, then exit 75 to be restarted; off: never; a version such as 0.2.0: only that one (a pin)',
    )
    .option('--state-dir <dir>', STATE_DIR)
    .addHelpText(
      'after',
      `
Logs are JSON lines on stdout; LOG_LEVEL sets the level (fatal, error, warn, info (default), debug,
trace or silent), as for every reachmap process. The variables may also come from a JSON file named
by $REACHMAP_CONFIG; the environment wins over it, a flag over both.`,
    );
}

export function onceDeclaration() {
  return withMeasuringOptions(new Command('once'))
    .summary('measure one round now and print the results (a check; nothing is submitted)')
    .description(`Runs one round now with the current configuration (fetched from the collector, or the stored one when it is unreachable) and prints a table: each target, each layer's result, timings and a hint. The hint is a first look, not a verdict: the collector's classifier judges with the controls of many agents. The measurements are not spooled or submitted; the running service measures on its own schedule.

Exits 1 on local errors (no configuration, a probe that crashed), not when a target is blocked.`)
    .option('--target <id>', 'measure only this catalogue target and the controls that judge it')
    .option('--json', 'print the measurements as JSON lines instead of the table')
    .option('--state-dir <dir>', STATE_DIR);
}

export function statusDeclaration() {
  return new Command('status')
    .summary("show this agent's enrolment, network, last rounds, spool, version, updates and errors")
    .description(
      `Enrolment, network, collector, the running version and its last self-update check, catalogue, spool size, last submission, the last rounds with each target's first-look result, and recent errors. Reads the state directory only; safe while the agent runs.`,
    )
    .option('--json', 'print one JSON object')
    .option('--state-dir <dir>', STATE_DIR);
}

type OptionsOf<Declare extends () => { opts(): object }> = ReturnType<ReturnType<Declare>['opts']>;
export type EnrollOptions = OptionsOf<typeof enrollDeclaration>;
export type RunOptions = OptionsOf<typeof runDeclaration>;
export type OnceOptions = OptionsOf<typeof onceDeclaration>;
export type StatusOptions = OptionsOf<typeof statusDeclaration>;
