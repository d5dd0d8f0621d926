import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * What real bash offers after `words` typed behind `program` (the last word is the one being
 * completed), with `script` (the output of `<program> completion bash`) sourced: the completion
 * function runs with COMP_WORDS and COMP_CWORD set as bash sets them, and COMPREPLY is read back.
 */
export async function bashCompletions(script: string, program: string, words: string[]): Promise<string[]> {
  const line = [program, ...words];
  const { stdout } = await exec('bash', [
    '--norc',
    '--noprofile',
    '-c',
    [
      script,
      `COMP_WORDS=(${line.map((word) => `'${word}'`).join(' ')})`,
      `COMP_CWORD=${line.length - 1}`,
      `_${program.replace(/-/g, '_')}_completion`,
      `printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n'),
  ]);
  return stdout.split('\n').filter((word) => word !== '');
}
