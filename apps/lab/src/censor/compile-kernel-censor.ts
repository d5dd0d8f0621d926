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

/**
 * A flow's conntrack mark: the rules' generation in the high 16 bits, then the line rule shaping the
 * flow (bits 8-15) and the filter rule deciding it (bits 0-7). Filters and line conditions are claimed
 * separately, so a `{ loss: 3 }` or `{ police }` rule never keeps a later drop or reset from a flow.
 */
const GENERATION_MASK = '0xffff0000';
const FILTER_BITS = 0xff;
const SHAPE_SHIFT = 8;
const SHAPE_BITS = 0xff00;
/** Rule ids must fit their 8 bits of the mark (checked when a scenario is parsed). */
export const MAX_KERNEL_RULES = 255;
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
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
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

/**
 * Line conditions (`police`, `loss`, `delay`) shape a path; they never decide a flow. Filter actions
 * (drop, reset, stallAfter, outage, allowlist) decide it, first match first, on top of the line.
 */
export function isLineCondition(rule: ResolvedRule): boolean {
  return rule.action.kind === 'police' || rule.action.kind === 'netem';
}

/** A line rule that needs the flow's shaping slot: a tc class (police, delay), or an SNI condition to remember. */
function needsShapeSlot(rule: ResolvedRule, netem: boolean): boolean {
  const { action } = rule;
  if (action.kind === 'police') return true;
  if (action.kind !== 'netem') return false;
  return (action.delayMs > 0 && netem) || (rule.sni !== null && action.lossPercent > 0);
}

function filterStatements(rule: ResolvedRule, marked: string): string[] {
  const { action } = rule;
  switch (action.kind) {
    case 'drop':
    case 'outage':
    case 'allowlist':
      return [`${marked} drop`];
    case 'reset':
      return [`${marked} meta l4proto tcp reject with tcp reset`, `${marked} reject`];
    case 'stallAfter':
      // docs/techniques.md: the 16 KB cap drops the flow after N reply bytes, with no RST.
      return [`${marked} ct reply bytes > ${action.bytes} drop`];
    case 'police':
    case 'netem':
    case 'dns':
    case 'blockpage':
    case 'lie':
      // Line conditions have their own statements; DNAT (dns, blockpage) or the agent (lie) act elsewhere.
      return [];
  }
}

/**
 * A line rule's statements: its packet loss, and the skb priority that picks its tc class (police,
 * delay). `slot` selects the flows whose shaping slot the rule holds; loss of a rule without SNI needs
 * no slot (its conditions hold for every packet of the flow), so losses of several rules stack.
 */
function lineStatements(rule: ResolvedRule, slot: string, conditions: string, netem: boolean): string[] {
  const { action } = rule;
  const statements: string[] = [];
  if (action.kind === 'police') statements.push(`${slot} meta priority set 1:${rule.id + 10}`);
  if (action.kind === 'netem') {
    if (action.lossPercent > 0) {
      const where = rule.sni === null ? conditions : slot;
      statements.push(`${where} numgen random mod 10000 < ${Math.round(action.lossPercent * 100)} drop`);
    }
    if (action.delayMs > 0 && netem) statements.push(`${slot} meta priority set 1:${rule.id + 10}`);
  }
  return statements.map((statement) => statement.trim());
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
  const lineActions: string[] = [];
  for (const rule of rules) {
    if (rule.action.kind === 'lie') continue;
    if (rule.action.kind === 'dns' || rule.action.kind === 'blockpage') {
      nat.push(...redirections(rule, context));
      continue;
    }
    const line = isLineCondition(rule);
    const conditions = [...flowConditions(rule, context), ...shareCondition(rule)].join(' ');
    const bits = line ? SHAPE_BITS : FILTER_BITS;
    const ownBits = line ? rule.id << SHAPE_SHIFT : rule.id;
    const slotMask = hex(0xffff0000 | bits);
    if (line) {
      // The flows whose shaping slot this rule holds, in the current generation.
      const slot = `ct mark and ${slotMask} ${hex((context.generation << 16) | ownBits)}`;
      lineActions.push(...lineStatements(rule, slot, conditions, context.netem));
      if (!needsShapeSlot(rule, context.netem)) continue;
    }
    if (rule.sni === null) {
      // Claims the slot when free: `ct mark and <mask> == generation` says no earlier rule holds it.
      forward.push(
        `ct mark and ${slotMask} ${generation} ${conditions} ct mark set ct mark or ${hex(ownBits)}`.replace(
          / +/g,
          ' ',
        ),
      );
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
    // An SNI match outranks a later rule of its kind that claimed the slot at the flow's first packet.
    const step = line ? 1 << SHAPE_SHIFT : 1;
    const unclaimedOrLater = `ct mark and ${hex(bits)} { 0x0, ${hex((rule.id + 1) * step)}-${hex(bits)} }`;
    const claim = `ct mark set ct mark and ${hex(0xffffffff ^ bits)} or ${hex(ownBits)}`;
    forward.push(`meta mark ${packetMark} ${unclaimedOrLater} ${conditions} ${claim}`.replace(/ +/g, ' '));
  }
  for (const rule of rules) {
    const marked = `ct mark and ${hex(0xffff0000 | FILTER_BITS)} ${hex((context.generation << 16) | rule.id)}`;
    forward.push(...filterStatements(rule, marked));
  }
  forward.push(...lineActions.map((line) => line.replace(/ +/g, ' ')));

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
