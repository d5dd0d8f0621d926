import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Catalogue, catalogueAddresses } from '@reachmap/targets';
import { compileKernelCensor } from '../censor/compile-kernel-censor.ts';
import { resolveRules } from '../censor/resolve-rules.ts';
import type { CensorRule } from '../scenario/censor-rule.ts';
import type { Scenario } from '../scenario/scenario-schema.ts';
import {
  agentLink,
  HOST_LINK_SLOTS,
  HOST_LINKS_PREFIX,
  hostLink,
  LAB_BLOCKPAGE_IP,
  LAB_SYSTEM_RESOLVER_IP,
  MAX_AGENTS_PER_REGION,
  MAX_REGIONS,
  regionAgentsPrefix,
  uplink,
} from './addressing.ts';
import type { CensorDaemonConfig } from './censor-daemon.ts';
import { attachCensorDaemon, type CensorDaemonProcess } from './censor-daemon-process.ts';
import { LabCommandError, runCommand, runIn, runInAsync } from './run-command.ts';
import { registerForCleanup, unregisterFromCleanup } from './signal-cleanup.ts';
import { claimRun, releaseRun, sweepStaleRuns } from './stale-runs.ts';

const CENSOR_DAEMON = fileURLToPath(new URL('./censor-daemon.ts', import.meta.url));
// Generous: six scenarios starting on 2 cores once kept a daemon silent past 10 s (CI, stop 26).
const DAEMON_READY_TIMEOUT_MS = 60_000;

export interface AgentNode {
  index: number;
  namespace: string;
  ip: string;
}

export interface RegionNode {
  /** Position in `scenario.regions`. */
  index: number;
  id: string;
  asn: number;
  router: string;
  /** nft table in the router: `reachmap_<region>`. */
  table: string;
  agents: AgentNode[];
}

export interface Topology {
  /** Unique per run; every namespace and root-side interface name starts with `rl<runId>`. */
  runId: string;
  world: string;
  /** The host (root namespace) as agents reach it: the collector and API listen here. Null without a host link. */
  hostIp: string | null;
  regions: RegionNode[];
  /** Replaces a region's censor rules (phases); flows classified under older rules are re-classified. */
  applyCensor(region: number, rules: readonly CensorRule[]): Promise<void>;
  /**
   * Starts `argv` inside `namespace` (e.g. `process.execPath server.ts`), with `env` or this process's
   * environment; stopped by `teardown`.
   */
  runInNamespace(namespace: string, argv: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess;
  /** Removes every namespace, interface, rule, file and process this topology created. Idempotent. */
  teardown(): void;
  /** Rule parts this kernel could not apply (e.g. delays without sch_netem), for the report. */
  readonly omitted: readonly string[];
}

export interface TopologyOptions {
  /** Build a veth to the root namespace so agents reach the host's collector (default true). */
  hostLink?: boolean;
}

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

/** Every IPv4 address the lab catalogue names, plus the lab's own resolver and blockpage. */
function worldAddresses(catalogue: Catalogue): string[] {
  const ips = new Set([LAB_SYSTEM_RESOLVER_IP, LAB_BLOCKPAGE_IP]);
  for (const address of catalogueAddresses(catalogue)) {
    if (address.kind === 'ip' && address.value.includes('.')) ips.add(address.value);
  }
  return [...ips];
}

let netemSupport: boolean | null = null;

/**
 * Whether this kernel can delay packets with `sch_netem`. Minimal VM kernels (Firecracker's, some CI
 * runners') ship without it, and without modules to load; asked once per process in a router.
 */
function kernelHasNetem(namespace: string): boolean {
  if (netemSupport !== null) return netemSupport;
  try {
    runIn(namespace, ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
    runIn(namespace, ['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
    netemSupport = true;
  } catch (error) {
    if (!(error instanceof LabCommandError)) throw error;
    netemSupport = false;
  }
  return netemSupport;
}

function freeHostSlot(): number {
  const used = runCommand(['ip', '-4', '-o', 'addr', 'show']);
  for (let slot = 0; slot < HOST_LINK_SLOTS; slot++) {
    if (!used.includes(` ${hostLink(slot).hostIp}/`)) return slot;
  }
  throw new TopologyError('every host-link slot in 198.19.254.0/24 is taken by other lab runs');
}

let swept = false;

/** Once per process, before its first run: what killed runs left would hold host-link slots and names. */
function sweepOnce(): void {
  if (swept) return;
  swept = true;
  try {
    const stale = sweepStaleRuns();
    if (stale.length > 0) {
      process.stderr.write(
        `lab: removed the namespaces and links of ${stale.length} lab run(s) killed without teardown (${stale.map((id) => `rl${id}`).join(', ')})\n`,
      );
    }
  } catch (error) {
    // A failed sweep costs at most host-link slots; the run itself can go on.
    process.stderr.write(`lab: could not sweep stale lab runs: ${(error as Error).message}\n`);
  }
}

/**
 * Builds the lab network for a scenario: a world namespace holding the lab catalogue's addresses, one
 * censor router per region with its agents behind it, and a link to the host. Requires root.
 */
export async function buildTopology(
  scenario: Scenario,
  catalogue: Catalogue,
  options: TopologyOptions = {},
): Promise<Topology> {
  if (scenario.regions.length > MAX_REGIONS) throw new TopologyError(`at most ${MAX_REGIONS} regions`);
  if (scenario.regions.some((region) => region.agents > MAX_AGENTS_PER_REGION)) {
    throw new TopologyError(`at most ${MAX_AGENTS_PER_REGION} agents per region`);
  }
  sweepOnce();
  const runId = randomBytes(3).toString('hex');
  const prefix = `rl${runId}`;
  claimRun(runId);
  const namespaces: string[] = [];
  const resolvConfDirs: string[] = [];
  const children = new Set<ChildProcess>();
  const daemons = new Map<number, CensorDaemonProcess>();
  const generations = new Map<number, number>();
  const omitted: string[] = [];
  let hostInterface: string | null = null;
  let tornDown = false;

  const teardown = (): void => {
    if (tornDown) return;
    tornDown = true;
    unregisterFromCleanup(teardown);
    for (const child of children) child.kill('SIGKILL');
    const failures: string[] = [];
    const attempt = (argv: string[]) => {
      try {
        runCommand(argv);
      } catch (error) {
        failures.push((error as Error).message);
      }
    };
    if (hostInterface !== null) attempt(['ip', 'link', 'del', hostInterface]);
    for (const namespace of namespaces.reverse()) attempt(['ip', 'netns', 'del', namespace]);
    for (const dir of resolvConfDirs) rmSync(dir, { recursive: true, force: true });
    if (failures.length === 0) releaseRun(runId);
    if (failures.length > 0)
      throw new TopologyError(`teardown left something behind: ${failures.join('; ')}`);
  };
  registerForCleanup(teardown);

  // veths accept 64 KiB TSO super-packets, which cross the router's netfilter as one skb: a policer
  // then drops 64 KiB at a time and a 16 KiB byte cap trips before the first body byte. Real censors
  // see wire-sized packets, so every lab link sends one segment per skb.
  const wireSizedPackets = (namespace: string | null, device: string) => {
    const argv = ['ip', 'link', 'set', 'dev', device, 'gso_max_segs', '1'];
    if (namespace === null) runCommand(argv);
    else runIn(namespace, argv);
  };
  const addNamespace = (name: string) => {
    runCommand(['ip', 'netns', 'add', name]);
    namespaces.push(name);
    runIn(name, ['ip', 'link', 'set', 'lo', 'up']);
  };
  const runInNamespace = (
    namespace: string,
    argv: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
  ): ChildProcess => {
    // stdin a pipe this process holds: the lab's children exit when it is gone (exit-with-parent.ts).
    const child = spawn('ip', ['netns', 'exec', namespace, ...argv], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };

  try {
    const world = `${prefix}-w`;
    addNamespace(world);
    runIn(world, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const batch = worldAddresses(catalogue).map((ip) => `addr add ${ip}/32 dev lo`);
    runCommand(['ip', '-n', world, '-batch', '-'], `${batch.join('\n')}\n`);

    let hostIp: string | null = null;
    if (options.hostLink !== false) {
      const link = hostLink(freeHostSlot());
      hostInterface = `${prefix}h`;
      runCommand([
        'ip',
        'link',
        'add',
        hostInterface,
        'type',
        'veth',
        'peer',
        'name',
        'host0',
        'netns',
        world,
      ]);
      wireSizedPackets(null, hostInterface);
      wireSizedPackets(world, 'host0');
      runCommand(['ip', 'addr', 'add', `${link.hostIp}/30`, 'dev', hostInterface]);
      runCommand(['ip', 'link', 'set', hostInterface, 'up']);
      runIn(world, ['ip', 'addr', 'add', `${link.worldIp}/30`, 'dev', 'host0']);
      runIn(world, ['ip', 'link', 'set', 'host0', 'up']);
      // Agents' addresses are unknown to the host: the world masquerades them behind its link address.
      runIn(
        world,
        ['nft', '-f', '-'],
        `table ip reachmap_world {\n  chain postrouting {\n    type nat hook postrouting priority srcnat;\n    oifname "host0" masquerade\n  }\n}\n`,
      );
      hostIp = link.hostIp;
    }

    const regions: RegionNode[] = scenario.regions.map((region, r) => {
      const router = `${prefix}-r${r}`;
      addNamespace(router);
      runIn(router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      const up = uplink(r);
      runCommand([
        'ip',
        'link',
        'add',
        'up0',
        'netns',
        router,
        'type',
        'veth',
        'peer',
        'name',
        `r${r}`,
        'netns',
        world,
      ]);
      wireSizedPackets(router, 'up0');
      wireSizedPackets(world, `r${r}`);
      runIn(router, ['ip', 'addr', 'add', `${up.routerIp}/30`, 'dev', 'up0']);
      runIn(router, ['ip', 'link', 'set', 'up0', 'up']);
      runIn(router, ['ip', 'route', 'add', 'default', 'via', up.worldIp]);
      runIn(world, ['ip', 'addr', 'add', `${up.worldIp}/30`, 'dev', `r${r}`]);
      runIn(world, ['ip', 'link', 'set', `r${r}`, 'up']);
      runIn(world, ['ip', 'route', 'add', regionAgentsPrefix(r), 'via', up.routerIp]);

      const agents: AgentNode[] = [];
      for (let a = 0; a < region.agents; a++) {
        const namespace = `${prefix}-r${r}a${a}`;
        addNamespace(namespace);
        const link = agentLink(r, a);
        runCommand([
          'ip',
          'link',
          'add',
          `a${a}`,
          'netns',
          router,
          'type',
          'veth',
          'peer',
          'name',
          'eth0',
          'netns',
          namespace,
        ]);
        wireSizedPackets(router, `a${a}`);
        wireSizedPackets(namespace, 'eth0');
        runIn(router, ['ip', 'addr', 'add', `${link.routerIp}/30`, 'dev', `a${a}`]);
        runIn(router, ['ip', 'link', 'set', `a${a}`, 'up']);
        runIn(namespace, ['ip', 'addr', 'add', `${link.agentIp}/30`, 'dev', 'eth0']);
        runIn(namespace, ['ip', 'link', 'set', 'eth0', 'up']);
        runIn(namespace, ['ip', 'route', 'add', 'default', 'via', link.routerIp]);
        // `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf: getaddrinfo asks the ISP resolver.
        const dir = `/etc/netns/${namespace}`;
        mkdirSync(dir, { recursive: true });
        resolvConfDirs.push(dir);
        writeFileSync(
          `${dir}/resolv.conf`,
          `nameserver ${LAB_SYSTEM_RESOLVER_IP}\noptions timeout:2 attempts:1\n`,
        );
        agents.push({ index: a, namespace, ip: link.agentIp });
      }
      return { index: r, id: region.id, asn: region.asn, router, table: `reachmap_r${r}`, agents };
    });

    // One region's changes at a time, in the order asked: two phases close together must not interleave.
    const applying = new Map<number, Promise<void>>();
    const applyCensor = (regionIndex: number, rules: readonly CensorRule[]): Promise<void> => {
      const next = (applying.get(regionIndex) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => applyRegionCensor(regionIndex, rules));
      applying.set(regionIndex, next);
      return next;
    };
    /** The devices of each region's router that have our root qdisc, to remove before the next rules. */
    const shapedDevices = new Map<number, readonly string[]>();
    const applyRegionCensor = async (regionIndex: number, rules: readonly CensorRule[]): Promise<void> => {
      const region = regions[regionIndex];
      if (region === undefined) throw new TopologyError(`no region ${regionIndex}`);
      const resolved = resolveRules(rules, catalogue);
      const generation = (generations.get(regionIndex) ?? 0) + 1;
      generations.set(regionIndex, generation);
      const interfaces = ['up0', ...region.agents.map((agent) => `a${agent.index}`)];
      const compiled = compileKernelCensor(resolved, {
        table: region.table,
        generation,
        agentIps: region.agents.map((agent) => agent.ip),
        exemptPrefixes: hostIp === null ? [] : [HOST_LINKS_PREFIX],
        systemResolverIp: LAB_SYSTEM_RESOLVER_IP,
        censorDaemonIp: uplink(regionIndex).routerIp,
        interfaces,
        netem: kernelHasNetem(region.router),
      });
      for (const part of compiled.omitted) {
        const note = `${region.id} AS${region.asn} ${part}`;
        if (!omitted.includes(note)) omitted.push(note);
      }
      await runInAsync(region.router, ['nft', '-f', '-'], compiled.nftScript);
      await runInAsync(region.router, ['iptables-nft', '-t', 'mangle', '-F', 'FORWARD']);
      for (const match of compiled.sniMatches) await runInAsync(region.router, ['iptables-nft', ...match]);
      // Every qdisc change in one tc process: a region of 4 policed agents needs ~70 of them, and one
      // process each took a phase 13-39 s to apply under the load of three worlds (docs/lab.md).
      const qdiscChanges = [
        ...(shapedDevices.get(regionIndex) ?? []).map((device) => ['qdisc', 'del', 'dev', device, 'root']),
        ...compiled.tcCommands,
      ];
      if (qdiscChanges.length > 0) {
        const batch = qdiscChanges.map((command) => `${command.join(' ')}\n`).join('');
        await runInAsync(region.router, ['tc', '-batch', '-'], batch);
      }
      shapedDevices.set(regionIndex, compiled.tcCommands.length > 0 ? interfaces : []);
      // The daemon takes new rules on its stdin: starting one per phase made DNS phases 6-8 s late.
      const daemon = daemons.get(regionIndex);
      if (daemon !== undefined) await daemon.setRules(resolved);
      else if (compiled.needsDaemon) {
        const config: CensorDaemonConfig = {
          host: uplink(regionIndex).routerIp,
          rules: resolved,
          zone: catalogue.dns_zone,
          agentIps: region.agents.map((agent) => agent.ip),
        };
        const child = runInNamespace(region.router, [
          process.execPath,
          CENSOR_DAEMON,
          JSON.stringify(config),
        ]);
        daemons.set(regionIndex, await attachCensorDaemon(child, DAEMON_READY_TIMEOUT_MS));
      }
    };

    for (const [r, region] of scenario.regions.entries()) await applyCensor(r, region.censor);
    return { runId, world, hostIp, regions, applyCensor, runInNamespace, teardown, omitted };
  } catch (error) {
    teardown();
    throw error;
  }
}
