import { TargetId } from '@reachmap/schema';
import { z } from 'zod';
import { LIE_STATUSES, type LieStatus } from '../lies/lie-status.ts';
import { ByteCount, Milliseconds, Percent, Rate } from './quantities.ts';

/** Hostname glob: `*` stands for any run of characters, so `*.whatsapp.net` matches `e1.whatsapp.net`. */
const HostGlob = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9*.-]+$/i, 'expected a hostname glob such as "*.whatsapp.net"');

/** What a rule applies to; every given key must match, `{}` matches every flow. */
export const RuleMatch = z.strictObject({
  /** The SNI of a TLS ClientHello (and QUIC Initial in user space). */
  sni: HostGlob.optional(),
  /** A hostname: DNS questions, HTTP Host headers and the addresses the lab catalogue gives it. */
  host: HostGlob.optional(),
  /** A catalogue target id: every lab address of the target. */
  target: TargetId.optional(),
  ip: z.union([z.cidrv4(), z.ipv4()]).optional(),
  proto: z.enum(['tcp', 'udp']).optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  /** Fraction of flows hit (0-1], for partial censors (docs/techniques.md: "not every connection is hit"). */
  share: z.number().gt(0).max(1).optional(),
  /** Indices (0-based) of the region's agents the rule applies to; all when absent. */
  agents: z.array(z.number().int().min(0)).min(1).optional(),
});
export type RuleMatch = z.infer<typeof RuleMatch>;

const SIMPLE_ACTIONS = ['drop', 'reset', 'blockpage', 'outage'] as const;

/**
 * The statuses the lab agent's `--lie` can fabricate; the lab agent refuses any other at its start, so a
 * scenario is refused here first, with the agent's own list.
 */
const LieStatusSchema = z.enum(LIE_STATUSES, {
  error: (issue) =>
    `the agent can fabricate only ${LIE_STATUSES.join(', ')}, not ${JSON.stringify(issue.input)}`,
});

/** Match keys that select flows on the wire; a lie has no network effect, so none of them applies to it. */
const FLOW_ONLY_MATCH_KEYS = ['sni', 'host', 'ip', 'proto', 'port', 'share'] as const;

/** One schema per action key, so an error names the field that is wrong, not every alternative. */
const OBJECT_ACTIONS = {
  dns: z.strictObject({
    dns: z.union([z.enum(['nxdomain', 'servfail']), z.strictObject({ a: z.ipv4() })]),
  }),
  police: z.strictObject({ police: Rate }),
  stallAfter: z.strictObject({ stallAfter: ByteCount }),
  loss: z.strictObject({ loss: Percent.optional(), delay: Milliseconds.optional() }),
  delay: z.strictObject({ loss: Percent.optional(), delay: Milliseconds.optional() }),
  allowlist: z.strictObject({ allowlist: z.array(z.union([z.cidrv4(), z.ipv4()])).min(1) }),
  lie: z.strictObject({ lie: LieStatusSchema }),
} as const;
type ActionKey = keyof typeof OBJECT_ACTIONS;

export type CensorAction =
  | { kind: (typeof SIMPLE_ACTIONS)[number] }
  | { kind: 'dns'; answer: 'nxdomain' | 'servfail' | { a: string } }
  | { kind: 'police'; rateBps: number }
  | { kind: 'stallAfter'; bytes: number }
  | { kind: 'netem'; lossPercent: number; delayMs: number }
  | { kind: 'allowlist'; prefixes: string[] }
  | { kind: 'lie'; status: LieStatus };

function normalizeAction(key: ActionKey, value: unknown): CensorAction {
  switch (key) {
    case 'dns':
      return { kind: 'dns', answer: OBJECT_ACTIONS.dns.parse(value).dns };
    case 'police':
      return { kind: 'police', rateBps: OBJECT_ACTIONS.police.parse(value).police };
    case 'stallAfter':
      return { kind: 'stallAfter', bytes: OBJECT_ACTIONS.stallAfter.parse(value).stallAfter };
    case 'allowlist':
      return { kind: 'allowlist', prefixes: OBJECT_ACTIONS.allowlist.parse(value).allowlist };
    case 'lie':
      return { kind: 'lie', status: OBJECT_ACTIONS.lie.parse(value).lie };
    case 'loss':
    case 'delay': {
      const netem = OBJECT_ACTIONS.loss.parse(value);
      return { kind: 'netem', lossPercent: netem.loss ?? 0, delayMs: netem.delay ?? 0 };
    }
  }
}

/**
 * `drop`, `reset`, `blockpage`, `outage`, or a one-key object. Checked by hand first so a typo reads
 * `unknown action "zap"` instead of a union's list of every alternative.
 */
export const CensorActionSchema = z.unknown().transform((value, ctx): CensorAction => {
  if (typeof value === 'string') {
    if ((SIMPLE_ACTIONS as readonly string[]).includes(value)) {
      return { kind: value as (typeof SIMPLE_ACTIONS)[number] };
    }
    ctx.addIssue({ code: 'custom', message: `unknown action "${value}"` });
    return z.NEVER;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const unknownKey = keys.find((key) => !Object.hasOwn(OBJECT_ACTIONS, key));
    if (unknownKey !== undefined || keys.length === 0) {
      ctx.addIssue({ code: 'custom', message: `unknown action "${unknownKey ?? '{}'}"` });
      return z.NEVER;
    }
    const key = keys[0] as ActionKey;
    const parsed = OBJECT_ACTIONS[key].safeParse(value);
    if (parsed.success) return normalizeAction(key, value);
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: 'expected an action such as "reset" or { police: 128kbit }' });
  return z.NEVER;
});

/**
 * A lie is told by the agent about a target (`--lie <target>=<status>`), not done to flows: it needs
 * `target`, may name `agents`, and refuses the keys that select flows.
 */
export const CensorRule = z
  .strictObject({
    match: RuleMatch,
    action: CensorActionSchema,
  })
  .superRefine(({ match, action }, ctx) => {
    if (action.kind !== 'lie') return;
    if (match.target === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['match', 'target'],
        message: 'a lie rule needs a target: the agent fabricates results per catalogue target',
      });
    }
    for (const key of FLOW_ONLY_MATCH_KEYS) {
      if (match[key] === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['match', key],
        message: `a lie rule matches only target and agents: the agent lies about a whole target, "${key}" selects network flows`,
      });
    }
  });
export type CensorRule = z.infer<typeof CensorRule>;
