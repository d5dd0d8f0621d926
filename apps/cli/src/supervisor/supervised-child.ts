import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ReadyMessage } from '@reachmap/server-kit';
import { decideRestart, type RestartPolicy } from './restart-policy.ts';

/** One part of the stack, run as its own process. */
export interface ChildSpec {
  name: string;
  /** The entry script, run with this Node (`process.execPath`). */
  entry: string;
  /** Node flags before the entry (V8's heap limits, as a deployed role's unit gives them). */
  nodeFlags?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** How long a stop may take (draining) before the child is killed. */
  stopTimeoutMs: number;
}

export type ChildState = 'starting' | 'up' | 'restarting' | 'failed' | 'stopping' | 'stopped';

export type ChildEvent =
  | { kind: 'started'; pid: number }
  | { kind: 'ready'; pid: number; url?: string }
  | { kind: 'exited'; pid: number; code: number | null; signal: NodeJS.Signals | null; stderrTail: string }
  | { kind: 'restarting'; delayMs: number; attempt: number }
  | { kind: 'gave-up'; attempts: number; stderrTail: string };

const STDERR_TAIL_BYTES = 2_048;

/**
 * Runs one child: restarts it with backoff when it dies, gives up on a crash loop, stops it on request
 * (SIGTERM, then SIGKILL after `stopTimeoutMs`). The child gets an IPC channel: it reports `ready` on
 * it and exits when it closes, so a supervisor killed with SIGKILL leaves no child behind.
 */
export class SupervisedChild {
  readonly spec: ChildSpec;
  state: ChildState = 'stopped';
  pid: number | undefined;
  url: string | undefined;
  restarts = 0;
  readonly #policy: RestartPolicy;
  readonly #onEvent: (event: ChildEvent) => void;
  readonly #onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  #process: ChildProcess | undefined;
  #quickFailures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #firstReady: (() => void) | undefined;

  constructor(
    spec: ChildSpec,
    policy: RestartPolicy,
    handlers: {
      onEvent: (event: ChildEvent) => void;
      onLine: (line: string, stream: 'stdout' | 'stderr') => void;
    },
  ) {
    this.spec = spec;
    this.#policy = policy;
    this.#onEvent = handlers.onEvent;
    this.#onLine = handlers.onLine;
  }

  /**
   * Starts the child; resolves once it reports ready or once it has been given up on (state `failed`),
   * so that one part that cannot start does not keep the others from serving.
   */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.#firstReady = resolve;
      this.#spawn();
    });
  }

  #spawn(): void {
    this.state = this.restarts === 0 ? 'starting' : 'restarting';
    const startedAt = Date.now();
    // detached: a terminal's Ctrl-C reaches only the supervisor, which stops the children in order.
    const child = spawn(process.execPath, [...(this.spec.nodeFlags ?? []), this.spec.entry], {
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.#process = child;
    let stderrTail = '';
    child.on('error', (error) => this.#onLine(`${this.spec.name}: ${error.message}`, 'stderr'));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      this.#onLine(line, 'stdout'),
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      stderrTail = `${stderrTail}${line}\n`.slice(-STDERR_TAIL_BYTES);
      this.#onLine(line, 'stderr');
    });
    const pid = child.pid ?? -1;
    this.pid = pid;
    this.#onEvent({ kind: 'started', pid });
    child.on('message', (message: ReadyMessage) => {
      if (message?.type !== 'ready') return;
      this.state = 'up';
      this.url = message.url;
      this.#onEvent({ kind: 'ready', pid, ...(message.url === undefined ? {} : { url: message.url }) });
      this.#firstReady?.();
      this.#firstReady = undefined;
    });
    child.once('exit', (code, signal) => {
      this.#process = undefined;
      this.pid = undefined;
      if (this.state === 'stopping' || this.state === 'stopped') {
        this.state = 'stopped';
        return;
      }
      // A moment for the last stderr lines to arrive: they say why it died.
      setTimeout(() => {
        if (this.state === 'stopping' || this.state === 'stopped') return;
        this.#afterExit(pid, code, signal, stderrTail.trim(), Date.now() - startedAt);
      }, 100);
    });
  }

  #afterExit(
    pid: number,
    code: number | null,
    signal: NodeJS.Signals | null,
    stderrTail: string,
    ranForMs: number,
  ) {
    this.#onEvent({ kind: 'exited', pid, code, signal, stderrTail });
    const decision = decideRestart(this.#policy, this.#quickFailures, ranForMs);
    this.#quickFailures = decision.quickFailures;
    if (decision.kind === 'give-up') {
      this.state = 'failed';
      this.#onEvent({ kind: 'gave-up', attempts: decision.quickFailures, stderrTail });
      this.#firstReady?.();
      this.#firstReady = undefined;
      return;
    }
    this.state = 'restarting';
    this.restarts += 1;
    this.#onEvent({ kind: 'restarting', delayMs: decision.delayMs, attempt: decision.quickFailures });
    this.#restartTimer = setTimeout(() => this.#spawn(), decision.delayMs);
  }

  /** SIGTERM (the child drains and exits), SIGKILL after the timeout; never restarts afterwards. */
  stop(): Promise<void> {
    clearTimeout(this.#restartTimer);
    const child = this.#process;
    this.state = 'stopping';
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      this.state = 'stopped';
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), this.spec.stopTimeoutMs);
      child.once('exit', () => {
        clearTimeout(force);
        this.state = 'stopped';
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
