import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { RETIRED_VARIABLES } from './retired-variables.ts';
import { isPathSchema } from './values.ts';

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PRIVATE|API_KEY/i;

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** JSON file of the same variable names; environment variables win over it. Defaults to $REACHMAP_CONFIG. */
  file?: string | undefined;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      [
        {
          variable: 'REACHMAP_CONFIG',
          problem: `cannot read ${path}: ${(error as Error).message}`,
          value: undefined,
        },
      ],
      'file',
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      [
        {
          variable: 'REACHMAP_CONFIG',
          problem: `${path} is not a JSON object: ${(error as Error).message}`,
          value: undefined,
        },
      ],
      'file',
    );
  }
}

function describeValue(variable: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (SECRET_NAME.test(variable)) return '(hidden)';
  return JSON.stringify(value);
}

function retiredProblems(env: NodeJS.ProcessEnv, fromFile: Record<string, unknown>): ConfigProblem[] {
  return Object.entries(RETIRED_VARIABLES)
    .filter(([old]) => (env[old] !== undefined && env[old] !== '') || fromFile[old] !== undefined)
    .map(([old, current]) => ({
      variable: old,
      problem: `no longer read: set ${current} instead`,
      value: undefined,
    }));
}

/**
 * Reads a zod object schema whose keys are variable names (REDIS_URL, API_PORT…) from the
 * environment and an optional JSON file. Unknown variables are ignored, retired ones refused; every
 * bad one is reported.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, options: LoadConfigOptions = {}): z.infer<S> {
  const env = options.env ?? process.env;
  const filePath = options.file ?? env.REACHMAP_CONFIG;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const pathKeys = Object.keys(schema.shape).filter((key) => isPathSchema(schema.shape[key] as z.ZodType));
  const input: Record<string, unknown> = { ...fromFile };
  if (filePath) {
    // A relative path in the file means "next to the file", whatever directory reachmap starts in.
    for (const key of pathKeys) {
      const value = input[key];
      if (typeof value === 'string' && value !== '') input[key] = resolve(dirname(resolve(filePath)), value);
    }
  }
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const retired = retiredProblems(env, fromFile);
  const parsed = schema.safeParse(input);
  if (parsed.success && retired.length === 0) {
    // Environment values and defaults are relative to the current directory; resolve() keeps absolute ones.
    const data = parsed.data as Record<string, unknown>;
    for (const key of pathKeys) {
      const value = data[key];
      if (typeof value === 'string') data[key] = resolve(value);
    }
    return parsed.data;
  }
  const problems: ConfigProblem[] = (parsed.error?.issues ?? []).map((issue) => {
    const variable = String(issue.path[0] ?? '(root)');
    const value = input[variable];
    return {
      variable,
      problem: value === undefined ? `required: ${issue.message}` : issue.message,
      value: describeValue(variable, value),
    };
  });
  throw new ConfigError([...retired, ...problems], filePath ? `environment and ${filePath}` : 'environment');
}
