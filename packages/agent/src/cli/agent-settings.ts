import { ConfigError, formatConfigProblem, loadConfig, logLevel } from '@reachmap/config';
import type { LogLevel } from '@reachmap/telemetry/log-policy';
import { z } from 'zod';
import { DEFAULT_SPOOL_MAX_BYTES } from '../spool/spool.ts';
import { InvalidUpdatePolicyError, parseUpdatePolicy, type UpdatePolicy } from '../update/update-policy.ts';
import type { RunOptions } from './agent-commands.ts';
import { UsageError } from './cli-command.ts';

const MB = 1024 * 1024;

/**
 * The settings of `reachmap-agent run`, read by the loader every reachmap process uses: from the
 * environment (the unit's `Environment=` lines) or a `REACHMAP_CONFIG` JSON file, every bad value
 * reported at once. A command-line flag stands in for its variable.
 */
const RunSettingsSchema = z.object({
  /** Bound of the local spool; when full the oldest measurements go, and the count is reported. */
  REACHMAP_AGENT_SPOOL_MAX_MB: z.coerce
    .number({ message: 'expected a number of megabytes' })
    .min(1, 'expected at least 1 (MB)')
    .optional(),
  REACHMAP_AGENT_UPDATE: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseUpdatePolicy(text);
      } catch (error) {
        if (!(error instanceof InvalidUpdatePolicyError)) throw error;
        // The loader adds the value itself: (got "…").
        ctx.addIssue({ code: 'custom', message: 'expected auto, off or a version such as 0.2.0' });
        return z.NEVER;
      }
    })
    .optional(),
  LOG_LEVEL: logLevel(),
});

/** Which flag stands in for which variable, to name what the operator actually typed in an error. */
const FLAGS = {
  REACHMAP_AGENT_SPOOL_MAX_MB: { flag: 'spool-max-mb', option: 'spoolMaxMb' },
  REACHMAP_AGENT_UPDATE: { flag: 'update', option: 'update' },
} as const;

/** The flags of `run` that stand in for a variable. */
type SettingFlags = Pick<RunOptions, 'spoolMaxMb' | 'update'>;

export interface RunSettings {
  spoolMaxBytes: number;
  updatePolicy: UpdatePolicy;
  logLevel: LogLevel;
}

export function runSettings(values: SettingFlags, env: NodeJS.ProcessEnv): RunSettings {
  const input: NodeJS.ProcessEnv = { ...env };
  for (const [variable, { option }] of Object.entries(FLAGS)) {
    const value = values[option];
    if (value !== undefined) input[variable] = value;
  }
  try {
    const settings = loadConfig(RunSettingsSchema, { env: input });
    return {
      spoolMaxBytes:
        settings.REACHMAP_AGENT_SPOOL_MAX_MB === undefined
          ? DEFAULT_SPOOL_MAX_BYTES
          : Math.floor(settings.REACHMAP_AGENT_SPOOL_MAX_MB * MB),
      updatePolicy: settings.REACHMAP_AGENT_UPDATE ?? { mode: 'auto' },
      logLevel: settings.LOG_LEVEL,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.problems.map((problem) => {
      const stand = Object.hasOwn(FLAGS, problem.variable)
        ? FLAGS[problem.variable as keyof typeof FLAGS]
        : undefined;
      const givenByFlag = stand !== undefined && values[stand.option] !== undefined;
      return formatConfigProblem(problem, givenByFlag ? `--${stand.flag}` : problem.variable);
    });
    throw new UsageError(lines.join('\n'));
  }
}
