import type { ResolvedRule } from './resolve-rules.ts';

/** What the kernel censor needs to know about its router besides the rules. */
export interface KernelCensorContext {
  /** nft table name, `reachmap_<region>`: unique per run and region. */
  table: string;
  /** Changes on every `applyCensor`, so flows classified under old rules are classified again. */
  generation: number;
  /** Agent index → the agent's address. */
  agentIps: readonly string[];
  /** Never censored except by `outage`: the agents' path to the collector (the lab must see them). */
  exemptPrefixes: readonly string[];
  /** The agents' system resolver; DNS actions redirect queries to it towards `lyingResolver`. */
  systemResolverIp: string;
  /** Router-local address of the lying resolver and blockpage server (port 53, 80, 443). */
  censorDaemonIp: string;
  /** Interfaces whose egress carries delayed flows (tc netem leaves). */
  interfaces: readonly string[];
  /** Whether the kernel has `sch_netem`; without it delays are left out and listed in `omitted`. */
  netem: boolean;
}

export interface KernelCensor {
  /** `nft -f` input: replaces the table atomically. */
  nftScript: string;
  /** `iptables-nft` arguments (mangle FORWARD): the SNI string matches nft itself cannot express. */
  sniMatches: string[][];
  /** `tc` arguments, run in order after removing earlier root qdiscs on `interfaces`. */
  tcCommands: string[][];
  /** Whether the router must run the censor daemon (lying resolver, blockpage). */
  needsDaemon: boolean;
  /** Parts of rules this kernel cannot apply, said out loud in the report instead of silently dropped. */
  omitted: string[];
}

const GENERATION_MASK = '0xffff0000';
const RULE_MASK = '0x0000ffff';
/** Packet marks set by the SNI string match; they live below the generation bits. */
const SNI_PACKET_MARK_BASE = 0x100;
const MIN_POLICER_BURST_BYTES = 16_384;
/**
 * Packets a shaping class may queue (~0.4 s at 128 kbit/s). Measured through the kernel lab, five 6-s
 * downloads at 128 kbit/s: 4 packets gave a steady 1-s CV of ~0.2; 8 and 16 packets let slow start
 * overflow the queue into a 0.9-1.6 s retransmission timeout (CV 0.35-0.55); 64 left a backlog that
 * starved the next connection entirely (there is no per-flow fair queue here: no sfq, no fq_codel).
 */
const SHAPER_QUEUE_PACKETS = 4;

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function set(values: readonly (string | number)[]): string {
  return `{ ${values.join(', ')} }`;
}

/** The tuple conditions of a rule, on the flow's original direction so they hold for replies too. */
function flowConditions(rule: ResolvedRule, context: KernelCensorContext): string[] {
  const conditions: string[] = [];
  if (rule.agents !== null) {
    const ips = rule.agents.map((agent) => context.agentIps[agent]).filter((ip) => ip !== undefined);
    conditions.push(`ct original ip saddr ${set(ips)}`);
  }
  if (rule.destinations !== null) conditions.push(`ct original ip daddr ${set(rule.destinations)}`);
  if (rule.proto !== null) conditions.push(`meta l4proto ${rule.proto}`);
  if (rule.port !== null) conditions.push(`ct original proto-dst ${rule.port}`);
  if (rule.action.kind === 'allowlist')
    conditions.push(`ct original ip daddr != ${set(rule.action.prefixes)}`);
  return conditions;
}

/**
 * A flow's share draw must hold for all its packets: a random number per packet would give every
 * unclaimed packet another chance, so nearly every flow would be claimed. `symhash` hashes the flow's
 * addresses and ports the same way in both directions, and new connections differ in source port.
 */
function shareCondition(rule: ResolvedRule): string[] {
  return rule.sharePercent >= 100 ? [] : [`symhash mod 100 < ${rule.sharePercent}`];
}

/** String searched in the ClientHello: the lab name's fixed tail (`*.whatsapp.net` → `.whatsapp.net.lab`). */
export function sniSearchString(glob: string): string {
  const tail = glob.slice(glob.lastIndexOf('*') + 1);
  return `${tail}.lab`;
}

function actionStatements(rule: ResolvedRule, marked: string, netem: boolean): string[] {
  const { action } = rule;
  switch (action.kind) {
    case 'drop':
    case 'outage':
    case 'allowlist':
      return [`${marked} drop`];
    case 'reset':
      return [`${marked} meta l4proto tcp reject with tcp reset`, `${marked} reject`];
    case 'stallAfter':
      // DOMAIN.md: the 16 KB cap drops the flow after N reply bytes, with no RST.
      return [`${marked} ct reply bytes > ${action.bytes} drop`];
    case 'police':
      // Rate-limited in an HTB class (see shapingQdiscs); the mark picks the class.
      return [`${marked} meta priority set 1:${rule.id + 10}`];
    case 'netem': {
      const statements: string[] = [];
      if (action.lossPercent > 0) {
        statements.push(`${marked} numgen random mod 10000 < ${Math.round(action.lossPercent * 100)} drop`);
      }
      if (action.delayMs > 0 && netem) statements.push(`${marked} meta priority set 1:${rule.id + 10}`);
      return statements;
    }
    case 'dns':
    case 'blockpage':
    case 'lie':
      // Handled by DNAT (dns, blockpage) or by the agent itself (lie): nothing to do in forward.
      return [];
  }
}

/** Compiles one region's resolved rules into an nft table, SNI string matches and tc qdiscs. */
export function compileKernelCensor(
  rules: readonly ResolvedRule[],
  context: KernelCensorContext,
): KernelCensor {
  const generation = hex(context.generation << 16);
  const forward: string[] = [];
  const nat: string[] = [];
  const exempt = context.exemptPrefixes.length > 0 ? set(context.exemptPrefixes) : null;
  const outage = rules.some((rule) => rule.action.kind === 'outage');

  forward.push(`ct mark and ${GENERATION_MASK} != ${generation} ct mark set ${generation}`);
  if (exempt !== null && !outage)
    forward.push(`ct original ip daddr ${exempt} accept`, `ct original ip saddr ${exempt} accept`);

  const sniMatches: string[][] = [];
  for (const rule of rules) {
    const claim = `ct mark set ${hex((context.generation << 16) | rule.id)}`;
    if (rule.action.kind === 'lie') continue;
    if (rule.action.kind === 'dns' || rule.action.kind === 'blockpage') {
      nat.push(...redirections(rule, context));
      continue;
    }
    const conditions = [...flowConditions(rule, context), ...shareCondition(rule)].join(' ');
    if (rule.sni === null) {
      forward.push(`ct mark ${generation} ${conditions} ${claim}`.replace(/ +/g, ' '));
      continue;
    }
    const packetMark = SNI_PACKET_MARK_BASE + rule.id;
    sniMatches.push([
      '-t',
      'mangle',
      '-A',
      'FORWARD',
      '-p',
      'tcp',
      '-m',
      'string',
      '--algo',
      'bm',
      '--string',
      sniSearchString(rule.sni),
      '-j',
      'MARK',
      '--set-mark',
      String(packetMark),
    ]);
    // An SNI match outranks a later rule that claimed the flow at its first packet.
    const unclaimedOrLater = `ct mark and ${RULE_MASK} { 0, ${rule.id + 1}-${0xffff} }`;
    forward.push(`meta mark ${packetMark} ${unclaimedOrLater} ${conditions} ${claim}`.replace(/ +/g, ' '));
  }
  for (const rule of rules) {
    const marked = `ct mark ${hex((context.generation << 16) | rule.id)}`;
    forward.push(...actionStatements(rule, marked, context.netem));
  }

  const delayed = rules.filter((rule) => rule.action.kind === 'netem' && rule.action.delayMs > 0);
  const omitted = context.netem
    ? []
    : delayed.map((rule) => `rule ${rule.id}: delay not applied (this kernel has no sch_netem)`);
  const shaped = rules.filter(
    (rule) =>
      rule.action.kind === 'police' ||
      (context.netem && rule.action.kind === 'netem' && rule.action.delayMs > 0),
  );
  const tcCommands =
    shaped.length === 0 ? [] : context.interfaces.flatMap((device) => shapingQdiscs(device, shaped));

  const nftScript = [
    `table inet ${context.table}`,
    `delete table inet ${context.table}`,
    `table inet ${context.table} {`,
    '  chain censor_redirect {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...nat.map((line) => `    ${line}`),
    '  }',
    '  chain censor_forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...forward.map((line) => `    ${line}`),
    '  }',
    '}',
    '',
  ].join('\n');
  return { nftScript, sniMatches, tcCommands, needsDaemon: nat.length > 0, omitted };
}

/** DNS actions send the agents' system-resolver queries to the lying resolver; blockpage sends HTTP(S) there. */
function redirections(rule: ResolvedRule, context: KernelCensorContext): string[] {
  const from =
    rule.agents === null
      ? set(context.agentIps)
      : set(rule.agents.map((agent) => context.agentIps[agent]).filter((ip) => ip !== undefined));
  if (rule.action.kind === 'dns') {
    return ['udp', 'tcp'].map(
      (proto) =>
        `ip saddr ${from} ip daddr ${context.systemResolverIp} ${proto} dport 53 dnat ip to ${context.censorDaemonIp}:53`,
    );
  }
  const to = rule.destinations === null ? '' : ` ip daddr ${set(rule.destinations)}`;
  return [80, 443].map(
    (port) => `ip saddr ${from}${to} tcp dport ${port} dnat ip to ${context.censorDaemonIp}:${port}`,
  );
}

/**
 * An HTB root whose default class is unlimited, plus one class per shaping rule (skb priority
 * 1:<id+10>): a netem leaf for a delay, or a rate-limited class for `police`. The rate is shaped, not
 * policed: this kernel has no `act_police`, and nft's `limit` policer at LAN round-trip times drives TCP
 * into loss and retransmission timeouts (goodput swinging 0-80 kbit/s at 128 kbit/s, CV 0.3-1.2),
 * which is not the flat rate observed behind real policers (Censored Planet, IMC 2021). A short queue
 * keeps TCP smooth and the added delay near what a policer's burst allows.
 */
function shapingQdiscs(device: string, rules: readonly ResolvedRule[]): string[][] {
  const commands: string[][] = [
    ['qdisc', 'add', 'dev', device, 'root', 'handle', '1:', 'htb', 'default', '1'],
    ['class', 'add', 'dev', device, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '10gbit'],
  ];
  for (const rule of rules) {
    const classId = `1:${rule.id + 10}`;
    if (rule.action.kind === 'police') {
      const rate = `${Math.max(8, Math.floor(rule.action.rateBps))}bit`;
      const burst = `${MIN_POLICER_BURST_BYTES}b`;
      commands.push(
        [
          'class',
          'add',
          'dev',
          device,
          'parent',
          '1:',
          'classid',
          classId,
          'htb',
          'rate',
          rate,
          'ceil',
          rate,
          'burst',
          burst,
          'cburst',
          burst,
        ],
        ['qdisc', 'add', 'dev', device, 'parent', classId, 'pfifo', 'limit', String(SHAPER_QUEUE_PACKETS)],
      );
    } else if (rule.action.kind === 'netem') {
      commands.push(
        ['class', 'add', 'dev', device, 'parent', '1:', 'classid', classId, 'htb', 'rate', '10gbit'],
        ['qdisc', 'add', 'dev', device, 'parent', classId, 'netem', 'delay', `${rule.action.delayMs}ms`],
      );
    }
  }
  return commands;
}
