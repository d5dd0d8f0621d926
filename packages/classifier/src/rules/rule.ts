import type { Layer, Measurement, Method, VerdictStatus } from '@reachmap/schema';
import type { Support } from '../confidence.ts';
import type { TargetExpectations } from '../expectations.ts';
import type { RoundControls } from './round-controls.ts';

/** A rule's conclusion, before it becomes a Verdict. */
export interface Finding {
  status: VerdictStatus;
  layer: Layer | null;
  method: Method | null;
  evidence: string[];
  /** Null for `error` and `insufficient`: they draw no conclusion about the network, so confidence is 0. */
  support: Support | null;
}

export interface RuleContext {
  measurement: Measurement;
  controls: RoundControls;
  expectations: TargetExpectations;
}

/** One verdict rule: a finding when its pattern matches, null to let the next rule try. */
export type Rule = (context: RuleContext) => Finding | null;
