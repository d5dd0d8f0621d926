import { DOUBT_LEFT_PER_OBSERVATION } from './thresholds.ts';

/** How much agrees with a verdict, counted in independent observations. */
export interface Support {
  /** Observations of the target that show the verdict's pattern. */
  agreeing: number;
  /** Observations of the target that could have shown it (agreeing ones included). */
  considered: number;
  /** References that confirm the comparison: a working control, harmless SNI, control resolver, expected page or fingerprint. */
  corroborating: number;
}

/**
 * confidence = (agreeing / considered) × (1 − 0.5^(agreeing + corroborating)), rounded down to 0.01.
 * The first factor falls when the target's observations disagree with each other (2 of 5 connections
 * stalled); the second rises with every independent observation behind the verdict, so one lone
 * observation gives 0.5, one observation checked against one control 0.75, five and a control 0.98.
 * Rounding down keeps it below 1: no count of observations makes a verdict certain.
 */
export function confidenceOf(support: Support): number {
  const { agreeing, considered, corroborating } = support;
  if (agreeing <= 0 || considered <= 0) return 0;
  const share = Math.min(agreeing / considered, 1);
  const strength = 1 - DOUBT_LEFT_PER_OBSERVATION ** (agreeing + corroborating);
  return Math.floor(share * strength * 100) / 100;
}
