import { execFileSync } from 'node:child_process';

/** A command of the topology (ip, nft, tc, iptables) failed: its arguments and stderr say why. */
export class LabCommandError extends Error {
  override readonly name = 'LabCommandError';
  readonly argv: readonly string[];

  constructor(argv: readonly string[], stderr: string) {
    super(`${argv.join(' ')} failed: ${stderr.trim()}`);
    this.argv = argv;
  }
}

/**
 * Runs a command synchronously. Topology changes are synchronous on purpose: teardown must also work
 * from a SIGINT handler and from `process.on('exit')`, where no promise is awaited.
 */
export function runCommand(argv: readonly string[], input?: string): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new LabCommandError(argv, 'empty command');
  try {
    return execFileSync(file, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new LabCommandError(argv, stderr);
  }
}

/** Like runCommand in namespace `namespace`. */
export function runIn(namespace: string, argv: readonly string[], input?: string): string {
  return runCommand(['ip', 'netns', 'exec', namespace, ...argv], input);
}
