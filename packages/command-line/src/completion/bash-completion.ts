import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { commandTree } from '../command-tree.ts';

/** Words put into the script unquoted; commander's names and flags are always of this shape. */
const SHELL_WORD = /^-{0,2}[A-Za-z0-9][\w-]*$/;

function word(text: string): string {
  if (!SHELL_WORD.test(text)) throw new Error(`"${text}" cannot be completed safely in a shell script`);
  return text;
}

/**
 * A bash completion script for `program`, generated from its command tree: subcommands after each
 * command, its flags after `-`, the declared choices of an argument, file names elsewhere. The
 * function walks the words typed so far to find the command being completed, skipping each flag's
 * value.
 */
export function bashCompletionScript(program: CommandUnknownOpts): string {
  const name = word(program.name());
  const functionName = `_${name.replace(/-/g, '_')}_completion`;
  const nodes = commandTree(program);
  const key = (path: string[]) => path.map(word).join(' ');
  const valuedFlags = nodes.flatMap((node) =>
    node.flags.filter((flag) => flag.takesValue).map((flag) => `"${key(node.path)}|${word(flag.flag)}"`),
  );
  const children = nodes.flatMap((node) => node.subcommands.map((sub) => `"${key(node.path)}|${word(sub)}"`));
  const cases = nodes.map((node) => {
    const commands = [...node.subcommands, ...node.argumentChoices].map(word).join(' ');
    const flags = node.flags.map((flag) => word(flag.flag)).join(' ');
    return `    "${key(node.path)}") commands="${commands}"; flags="${flags}" ;;`;
  });
  return [
    `# bash completion for ${name}, generated from its commands by \`${name} completion bash\``,
    `${functionName}() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" skip=0 i word commands="" flags=""`,
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    `    word="\${COMP_WORDS[i]}"`,
    '    if ((skip)); then skip=0; continue; fi',
    '    case "$path|$word" in',
    ...(valuedFlags.length === 0 ? [] : [`      ${valuedFlags.join('|')}) skip=1 ;;`]),
    ...(children.length === 0 ? [] : [`      ${children.join('|')}) path="\${path:+$path }$word" ;;`]),
    '    esac',
    '  done',
    '  case "$path" in',
    ...cases,
    '  esac',
    '  if ((skip)); then',
    '    mapfile -t COMPREPLY < <(compgen -f -- "$cur")',
    '  elif [[ "$cur" == -* ]]; then',
    '    mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")',
    '  elif [[ -n "$commands" ]]; then',
    '    mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")',
    '  else',
    '    mapfile -t COMPREPLY < <(compgen -f -- "$cur")',
    '  fi',
    '}',
    `complete -F ${functionName} ${name}`,
    '',
  ].join('\n');
}

/** The same script for zsh, through zsh's bash-completion emulation (`bashcompinit`). */
export function zshCompletionScript(program: CommandUnknownOpts): string {
  return [
    `# zsh completion for ${word(program.name())}: the bash script, run by zsh's bashcompinit`,
    'autoload -U +X compinit && compinit',
    'autoload -U +X bashcompinit && bashcompinit',
    bashCompletionScript(program),
  ].join('\n');
}
