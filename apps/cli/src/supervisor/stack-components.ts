import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts `reachmap up` runs, in start order (consumers first), each as its own process. */
export const STACK_COMPONENTS = ['aggregator', 'collector', 'api', 'demo'] as const;
export type StackComponent = (typeof STACK_COMPONENTS)[number];

const CHILDREN_DIR = join(import.meta.dirname, '../children');

/** The demo network is the lab app's: started as a child process, never imported (docs/development.md). */
const DEMO_ENTRY = fileURLToPath(import.meta.resolve('@reachmap/lab/demo-main'));

export function entryOf(component: StackComponent): string {
  return component === 'demo' ? DEMO_ENTRY : join(CHILDREN_DIR, `${component}.ts`);
}

/** The aggregator drains what is queued before it exits; the others only close their listeners. */
export const STOP_TIMEOUT_MS: Record<StackComponent, number> = {
  aggregator: 60_000,
  collector: 15_000,
  api: 15_000,
  demo: 20_000,
};

export class UnknownComponentError extends Error {
  override name = 'UnknownComponentError';
}

/** `--only collector,aggregator` → the chosen components in start order; no list → all of them. */
export function selectComponents(only: string | undefined, demo: boolean): StackComponent[] {
  if (only === undefined) return STACK_COMPONENTS.filter((c) => demo || c !== 'demo');
  const wanted = only
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = wanted.filter((name) => !(STACK_COMPONENTS as readonly string[]).includes(name));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new UnknownComponentError(
      `--only takes a comma-separated list of ${STACK_COMPONENTS.join(', ')} (got "${only}")`,
    );
  }
  return STACK_COMPONENTS.filter((c) => wanted.includes(c) && (demo || c !== 'demo'));
}
