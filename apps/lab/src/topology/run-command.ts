import { execFile, execFileSync } from 'node:child_process';

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

/**
 * Like runCommand, without blocking the event loop: a phase applied mid-scenario must not hold up the
 * other scenarios' phases and store polls of the same runner while its commands run.
 */
export async function runCommandAsync(argv: readonly string[], input?: string): Promise<string> {
  const [file, ...args] = argv;
  if (file === undefined) throw new LabCommandError(argv, 'empty command');
  return await new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new LabCommandError(argv, stderr === '' ? String(error) : stderr));
    });
    // A command that exits without reading its input closes the pipe: the EPIPE is not the failure
    // (the exit status and stderr above say whether it failed), and unhandled it would end the process.
    child.stdin?.on('error', () => undefined);
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

/** Like runCommandAsync in namespace `namespace`. */
export async function runInAsync(
  namespace: string,
  argv: readonly string[],
  input?: string,
): Promise<string> {
  return await runCommandAsync(['ip', 'netns', 'exec', namespace, ...argv], input);
}
