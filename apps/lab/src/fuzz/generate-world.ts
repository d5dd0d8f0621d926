import type { LieStatus } from '../lies/lie-status.ts';
import { type SeededRandom, seededRandom } from './seeded-random.ts';
import {
  type RawRule,
  SERVICE_TARGETS,
  type ServiceTarget,
  TECHNIQUES,
  type Technique,
  THROUGHPUT_TARGETS,
} from './techniques.ts';

/** Where the censoring ISP sits among clean ones. */
export const LAYOUTS = [
  'single',
  'clean-neighbour',
  'isp-split',
  'region-split',
  'isp-and-region-split',
] as const;
export type Layout = (typeof LAYOUTS)[number];

/** When the technique is on; outages take one clean region or ASN down while the censor stays on. */
export const SCHEDULES = ['static', 'onset', 'lift', 'flapping', 'outage-region', 'outage-asn'] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

export type LineCondition = 'none' | 'loss' | 'loss+delay' | 'congestion';

/** One ISP in one region: the unit a censor acts on (a scenario's `regions[]` entry). */
export interface FuzzEntry {
  region: string;
  asn: number;
  agents: number;
  /** Whether the world's technique runs here (when the schedule has it on). */
  censoring: boolean;
  /** Line conditions under every filter, for the whole run. */
  lines: RawRule[];
  lie: { agent: number; target: ServiceTarget; status: LieStatus } | null;
}

/** A span of the run in seconds from the start, end excluded. */
export interface Span {
  from: number;
  to: number;
}

export interface FuzzWorld {
  seed: number;
  layout: Layout;
  schedule: ScheduleKind;
  technique: Technique;
  target: ServiceTarget;
  lineCondition: LineCondition;
  intervalS: number;
  entries: FuzzEntry[];
  /** When the technique is on in the censoring entries. */
  censorOn: Span[];
  /** Entries (indices) cut off, and when; null without an outage. */
  outage: { entries: number[]; scope: 'region' | 'asn'; span: Span } | null;
  /**
   * A target whose servers are unreachable (`down`) or slow (`slow`: 128 kbit/s on its TCP flows) from
   * every entry for a span (a server-side outage, not censorship), across at least three countries;
   * null in most worlds.
   */
  targetDown: { target: ServiceTarget; span: Span; how: TargetDownHow } | null;
}

export type TargetDownHow = 'down' | 'slow';

const SCHEDULE_WEIGHTS: readonly (readonly [ScheduleKind, number])[] = [
  ['static', 45],
  ['onset', 15],
  ['lift', 15],
  ['flapping', 5],
  ['outage-region', 10],
  ['outage-asn', 10],
];

/** Layouts an outage of one clean region or ASN needs: the country keeps a live child. */
const LAYOUTS_FOR: Record<ScheduleKind, readonly Layout[]> = {
  static: LAYOUTS,
  onset: LAYOUTS,
  lift: LAYOUTS,
  flapping: LAYOUTS,
  'outage-region': ['region-split', 'isp-and-region-split'],
  'outage-asn': ['isp-split', 'isp-and-region-split'],
};

const REGIONS_OF: Record<string, readonly string[]> = {
  RU: ['RU-MOW', 'RU-SPE', 'RU-KDA', 'RU-TA', 'RU-NIZ', 'RU-KGD', 'RU-SVE', 'RU-DA'],
  IR: ['IR-07', 'IR-23', 'IR-10'],
  TR: ['TR-34', 'TR-06', 'TR-35'],
};
const CLEAN_NEIGHBOURS = ['DE-BE', 'DE-BY'] as const;

/** Enough agents for the windows' evidence floor, few enough that several worlds fit 2 cores. */
const MAX_AGENTS_PER_WORLD = 12;
const MAX_AGENTS_PER_ISP = 6;

/** Phase times sit on window boundaries (60 s windows), as the catalogue's do. */
const ONSET_AT = 60;
const LIFT_AT = 120;
const FLAP_OFF_AT = 120;
const FLAP_ON_AT = 240;
const OUTAGE_SPAN: Span = { from: 60, to: 180 };
const TARGET_DOWN_SPAN: Span = { from: 60, to: 180 };

/**
 * Share of the worlds that can hold it (static censor, a layout with room for two more ISPs) in which
 * a second target goes down everywhere. The aggregator calls a target failing in ≥ 80 % of regions of
 * ≥ 3 countries an outage of the target (docs/state-machine.md, "Target outages"); these worlds check
 * that rule beside a censor, liars and line conditions the hand-written scenario does not have.
 */
const TARGET_DOWN_CHANCE = 0.3;
const TARGET_DOWN_LAYOUTS: readonly Layout[] = ['single', 'clean-neighbour', 'isp-split'];
/**
 * Share of the target-down worlds whose target is slow rather than unreachable, where it can be: a
 * target with throughput suites, on lines without a shaper (the first police or delay rule shapes a
 * flow, so under a congestion or delay line the slow target's policer would never act).
 */
const TARGET_SLOW_CHANCE = 0.5;
/** A server that is slow for everyone: the rate of the `police` technique. */
const TARGET_SLOW_RATE = '128kbit';
/** The third country a target-down world adds beside the censor's and Germany. */
const FAR_REGION = 'BR-SP';

/** Seeds of `count` worlds from `seed`: world i is seed + i, so any world reruns alone with its own seed. */
export function worldSeeds(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => (seed + index) >>> 0);
}

function lineRules(condition: LineCondition, agents: number, random: SeededRandom): RawRule[] {
  switch (condition) {
    case 'none':
      return [];
    case 'loss':
      return [{ match: {}, action: { loss: `${random.int(1, 3)}%` } }];
    case 'loss+delay':
      return [
        { match: {}, action: { loss: `${random.int(1, 3)}%`, delay: `${random.pick([20, 40, 80])}ms` } },
      ];
    case 'congestion':
      // One rule per agent's line, as congested-uplink does: a shared policer would starve them all.
      // 8 Mbit/s, not congested-uplink's 2: a fuzz world's 15 s rounds (4 throughput suites of 5 ×
      // 256 KiB beside the rest) take ~45 s at 2 Mbit/s, so an ISP of 2-3 agents never reaches a
      // window's evidence floor and a silent SNI drop loses its control handshake (seed 9018756,
      // docs/lab.md "Fuzz worlds"); 8 and 20 Mbit/s passed the same reduced worlds.
      return Array.from({ length: agents }, (_, agent) => ({
        match: { agents: [agent] },
        action: { police: '8mbit' },
      }));
  }
}

/**
 * The first police or delay rule shapes a flow (docs/lab.md), so a technique's policer under a delay
 * or congestion line that takes every flow would never act: those worlds get loss only.
 */
function lineConditionsFor(technique: Technique): LineCondition[] {
  return technique.actions.includes('police')
    ? ['none', 'none', 'loss']
    : ['none', 'none', 'loss', 'loss+delay', 'congestion'];
}

function censorSpans(schedule: ScheduleKind): Span[] {
  const end = Number.POSITIVE_INFINITY;
  switch (schedule) {
    case 'onset':
      return [{ from: ONSET_AT, to: end }];
    case 'lift':
      return [{ from: 0, to: LIFT_AT }];
    case 'flapping':
      return [
        { from: 0, to: FLAP_OFF_AT },
        { from: FLAP_ON_AT, to: end },
      ];
    default:
      return [{ from: 0, to: end }];
  }
}

/** Samples one world; the same seed always gives the same world. */
export function generateWorld(seed: number): FuzzWorld {
  const random = seededRandom(seed);
  const schedule = random.weighted(SCHEDULE_WEIGHTS);
  const layout = random.pick(LAYOUTS_FOR[schedule]);
  const technique = random.pick(TECHNIQUES);
  const target = random.pick(technique.targets);
  const country = technique.countries?.[0] ?? random.weighted([['RU', 70] as const, ['IR', 15], ['TR', 15]]);
  const regionPool = [...(REGIONS_OF[country] ?? [])];
  const takeRegion = () => regionPool.splice(random.int(0, regionPool.length - 1), 1)[0] ?? `${country}-01`;
  const censorRegion = takeRegion();
  const lineCondition = random.pick(lineConditionsFor(technique));

  let asn = 64_700 + random.int(0, 99) * 10;
  const entry = (region: string, censoring: boolean, agents: number): FuzzEntry => ({
    region,
    asn: asn++,
    agents,
    censoring,
    lines: [],
    lie: null,
  });
  const censorAgents = random.int(Math.max(2, technique.minAgents), MAX_AGENTS_PER_ISP);
  const cleanAgents = () => random.int(2, 4);
  const entries: FuzzEntry[] = [entry(censorRegion, true, censorAgents)];
  if (layout === 'clean-neighbour') entries.push(entry(random.pick(CLEAN_NEIGHBOURS), false, cleanAgents()));
  if (layout === 'isp-split' || layout === 'isp-and-region-split') {
    entries.push(entry(censorRegion, false, cleanAgents()));
  }
  if (layout === 'region-split' || layout === 'isp-and-region-split') {
    entries.push(entry(takeRegion(), false, cleanAgents()));
  }
  // Keep the world within the machine's share: clean ISPs shrink to the quorum of 2 first.
  for (const clean of entries.filter((candidate) => !candidate.censoring)) {
    if (entries.reduce((sum, candidate) => sum + candidate.agents, 0) > MAX_AGENTS_PER_WORLD)
      clean.agents = 2;
  }
  for (const candidate of entries) candidate.lines = lineRules(lineCondition, candidate.agents, random);

  // 0-1 lying agent, about a target its ISP does not touch, so the truth there is "clean".
  if (random.chance(0.35)) {
    const honestAbout = entries.filter(
      (candidate) => !(candidate.censoring && technique.touchesAll === true),
    );
    if (honestAbout.length > 0) {
      const liarEntry = random.pick(honestAbout);
      const status = random.pick(['blocked', 'throttled', 'stalled'] as const);
      const lieTargets = SERVICE_TARGETS.filter(
        (candidate) =>
          candidate !== target &&
          (status === 'blocked' || ['whatsapp', 'telegram', 'youtube'].includes(candidate)),
      );
      liarEntry.lie = { agent: random.int(0, liarEntry.agents - 1), target: random.pick(lieTargets), status };
    }
  }

  // Drawn last, so the worlds of earlier seeds keep every other draw they had.
  const targetDown = maybeTargetDown({ schedule, layout, target, entries, lineCondition, random, entry });

  let outage: FuzzWorld['outage'] = null;
  if (schedule === 'outage-region' || schedule === 'outage-asn') {
    const down =
      schedule === 'outage-asn'
        ? entries.findIndex((candidate) => !candidate.censoring && candidate.region === censorRegion)
        : entries.findIndex((candidate) => candidate.region !== censorRegion);
    outage = {
      entries: [down],
      scope: schedule === 'outage-asn' ? 'asn' : 'region',
      span: OUTAGE_SPAN,
    };
  }
  return {
    seed,
    layout,
    schedule,
    technique,
    target,
    lineCondition,
    intervalS: technique.intervalS,
    entries,
    censorOn: censorSpans(schedule),
    outage,
    targetDown,
  };
}

/**
 * Maybe takes a second target down everywhere: adds clean ISPs in Germany (unless one is there) and
 * Brazil of 2 agents each, so the target fails in three countries, when the world has room for them. The target is neither the censored
 * one nor a liar's (a server that is down cannot also be filtered or lied about by the same flows).
 */
function maybeTargetDown(world: {
  schedule: ScheduleKind;
  layout: Layout;
  target: ServiceTarget;
  entries: FuzzEntry[];
  lineCondition: LineCondition;
  random: SeededRandom;
  entry: (region: string, censoring: boolean, agents: number) => FuzzEntry;
}): FuzzWorld['targetDown'] {
  const { entries, random } = world;
  if (!random.chance(TARGET_DOWN_CHANCE)) return null;
  if (world.schedule !== 'static' || !TARGET_DOWN_LAYOUTS.includes(world.layout)) return null;
  const hasGermany = entries.some((candidate) => candidate.region.startsWith('DE-'));
  // The ISPs are not shrunk to make room: their line rules and liar already name their agents.
  const added = hasGermany ? 2 : 4;
  if (entries.reduce((sum, candidate) => sum + candidate.agents, added) > MAX_AGENTS_PER_WORLD) return null;
  const lied = entries.map((candidate) => candidate.lie?.target);
  const down = random.pick(
    SERVICE_TARGETS.filter((candidate) => candidate !== world.target && !lied.includes(candidate)),
  );
  const newcomers = [
    ...(hasGermany ? [] : [world.entry(random.pick(CLEAN_NEIGHBOURS), false, 2)]),
    world.entry(FAR_REGION, false, 2),
  ];
  for (const newcomer of newcomers) newcomer.lines = lineRules(world.lineCondition, newcomer.agents, random);
  entries.push(...newcomers);
  // Drawn last, so the worlds of earlier seeds keep their target, layout and lines.
  const canBeSlow =
    THROUGHPUT_TARGETS.includes(down) && (world.lineCondition === 'none' || world.lineCondition === 'loss');
  const how: TargetDownHow = canBeSlow && random.chance(TARGET_SLOW_CHANCE) ? 'slow' : 'down';
  return { target: down, span: TARGET_DOWN_SPAN, how };
}

/** The entry's rules at `atS`: an outage replaces everything, the technique sits under the line rules. */
export function entryRulesAt(world: FuzzWorld, index: number, atS: number): RawRule[] {
  const entry = world.entries[index];
  if (entry === undefined) throw new RangeError(`no entry ${index}`);
  const lie: RawRule[] =
    entry.lie === null
      ? []
      : [
          {
            match: { target: entry.lie.target, agents: [entry.lie.agent] },
            action: { lie: entry.lie.status },
          },
        ];
  const inside = (span: Span) => atS >= span.from && atS < span.to;
  if (world.outage?.entries.includes(index) === true && inside(world.outage.span)) {
    return [{ match: {}, action: 'outage' }, ...lie];
  }
  const censoring = entry.censoring && world.censorOn.some(inside);
  const down: RawRule[] =
    world.targetDown !== null && inside(world.targetDown.span) ? [targetDownRule(world.targetDown)] : [];
  return [...entry.lines, ...down, ...(censoring ? world.technique.rules(world.target) : []), ...lie];
}

function targetDownRule(targetDown: NonNullable<FuzzWorld['targetDown']>): RawRule {
  return targetDown.how === 'slow'
    ? { match: { target: targetDown.target, proto: 'tcp' }, action: { police: TARGET_SLOW_RATE } }
    : { match: { target: targetDown.target }, action: 'drop' };
}

/** The times at which some entry's rules change: each becomes a phase per entry that changes. */
export function changeTimes(world: FuzzWorld): number[] {
  const times = new Set<number>();
  for (const span of world.censorOn) {
    if (span.from > 0) times.add(span.from);
    if (Number.isFinite(span.to)) times.add(span.to);
  }
  if (world.outage !== null) times.add(world.outage.span.from).add(world.outage.span.to);
  if (world.targetDown !== null) times.add(world.targetDown.span.from).add(world.targetDown.span.to);
  return [...times].sort((a, b) => a - b);
}
