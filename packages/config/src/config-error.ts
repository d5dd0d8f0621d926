export interface ConfigProblem {
  variable: string;
  problem: string;
  /** The offending value, or `(hidden)` for secrets; undefined when the variable was missing. */
  value: string | undefined;
}

/** One problem as one line, `NAME: problem (got value)`; `name` stands in for the variable (a flag, say). */
export function formatConfigProblem({ variable, problem, value }: ConfigProblem, name = variable): string {
  return `${name}: ${problem}${value === undefined ? '' : ` (got ${value})`}`;
}

/** A configuration that cannot be used; the message names every bad variable and what was expected. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], source: string) {
    super(
      `invalid configuration (${source}):\n${problems.map((p) => `  ${formatConfigProblem(p)}`).join('\n')}`,
    );
    this.problems = problems;
  }
}
