import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

/** A script such as `pnpm soak`: its options parsed by optionsOrExit, then printed, in a real process. */
function script(...args: string[]) {
  const source = [
    `import { Command, optionsOrExit } from ${JSON.stringify(INDEX)};`,
    // With -e, process.argv holds no script path: the arguments start at index 1.
    "const program = new Command('pnpm sample').option('--count <n>', 'how many', '1');",
    'const options = await optionsOrExit(program, process.argv.slice(1));',
    'console.log(JSON.stringify(options));',
  ].join('\n');
  return spawnSync(process.execPath, ['--input-type=module', '-e', source, '--', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('optionsOrExit', () => {
  it('returns the parsed options, defaults included, and lets the script run on', () => {
    expect(script('--count', '3')).toMatchObject({ status: 0, stdout: '{"count":"3"}\n' });
    expect(script()).toMatchObject({ status: 0, stdout: '{"count":"1"}\n' });
  });

  it('exits 0 after --help and 2 after a usage error, before the script runs', () => {
    const help = script('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: pnpm sample [options]');
    expect(help.stdout).not.toContain('{');
    const bogus = script('--bogus');
    expect(bogus.status).toBe(2);
    expect(bogus.stdout).toBe('');
    expect(bogus.stderr).toContain("pnpm sample: unknown option '--bogus'");
  });
});
