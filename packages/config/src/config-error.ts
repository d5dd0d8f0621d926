export interface ConfigProblem {
  variable: string;
  problem: string;
  /** The offending value, or `(hidden)` for secrets; undefined when the variable was missing. */
  value: string | undefined;
}

/** A configuration that cannot be used; the message names every bad variable and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], source: string) {
    super(
      `invalid configuration (${source}):\n${problems
        .map((p) => `  ${p.variable}: ${p.problem}${p.value === undefined ? '' : ` (got ${p.value})`}`)
        .join('\n')}`,
    );
    this.problems = problems;
  }
}
