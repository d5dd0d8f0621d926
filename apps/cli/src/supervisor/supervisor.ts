import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.ts';
import { type ChildEvent, type ChildSpec, SupervisedChild } from './supervised-child.ts';

export interface SupervisorOptions {
  /** In start order: consumers before producers; stopped in reverse. */
  children: ChildSpec[];
  policy?: RestartPolicy;
  onEvent: (child: string, event: ChildEvent) => void;
  onLine: (child: string, line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * Separate processes for the parts of the stack: a fault in one (the demo network running out of
 * descriptors, an uncaught exception in a service) ends only that process, which is restarted.
 */
export class Supervisor {
  readonly children: SupervisedChild[];
  #stopping: Promise<void> | undefined;

  constructor(options: SupervisorOptions) {
    const policy = options.policy ?? DEFAULT_RESTART_POLICY;
    this.children = options.children.map(
      (spec) =>
        new SupervisedChild(spec, policy, {
          onEvent: (event) => options.onEvent(spec.name, event),
          onLine: (line, stream) => options.onLine(spec.name, line, stream),
        }),
    );
  }

  /** Starts the children one after another, each once the one before is ready. */
  async start(): Promise<void> {
    for (const child of this.children) await child.start();
  }

  /** Whether every child has given up (nothing left to supervise). */
  allFailed(): boolean {
    return this.children.every((child) => child.state === 'failed');
  }

  /** Stops the children in reverse start order: producers first, so consumers drain what they sent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const child of [...this.children].reverse()) await child.stop();
    })();
    return this.#stopping;
  }
}
