import { Command, type CommandUnknownOpts, Option, setExitCode } from '@reachmap/command-line';
import type { RedisClient, WithRedis } from '@reachmap/queue';
import { createApiKey, listApiKeys, revokeApiKey } from '../access/api-keys.ts';
import { ApiRole } from '../access/principal.ts';

type Print = (line: string) => void;

/**
 * `reachmap admin keys …`, the analysts' API keys: a command for `admin` to add. Each resolves to the
 * exit code (0 ok, 1 failed, 2 usage error) through `setExitCode`.
 */
export function keysCommand(withRedis: WithRedis, print: Print): CommandUnknownOpts {
  const keys = new Command('keys').description("analysts' API keys");
  keys
    .command('create')
    .description('create an API key (rmk_…); it is shown once, only its SHA-256 is stored')
    .addOption(
      new Option('--role <role>', 'what the key may do').choices(ApiRole.options).makeOptionMandatory(),
    )
    .requiredOption('--label <label>', 'who holds the key, e.g. "newsroom-dashboard"')
    .action(async (options, command) =>
      setExitCode(command, await withRedis((redis) => keysCreate(redis, options.role, options.label, print))),
    );
  keys
    .command('list')
    .description('list API keys: id, role, label, created, revoked; never the keys themselves')
    .option('--json', 'print JSON')
    .action(async (options, command) =>
      setExitCode(command, await withRedis((redis) => keysList(redis, options.json === true, print))),
    );
  keys
    .command('revoke')
    .description('refuse every further request made with the key (401)')
    .argument('<key-id>', 'the key\'s id (see "reachmap admin keys list")')
    .action(async (keyId, _options, command) =>
      setExitCode(command, await withRedis((redis) => keysRevoke(redis, keyId, print))),
    );
  return keys;
}

async function keysCreate(redis: RedisClient, role: ApiRole, label: string, print: Print): Promise<number> {
  if (label.trim() === '') {
    print('keys create needs --label LABEL (who holds the key, e.g. "newsroom-dashboard")');
    return 2;
  }
  const { record, secret } = await createApiKey(redis, { role, label: label.trim() });
  print(`created ${record.id} (${record.role}, "${record.label}")`);
  print(`key: ${secret}`);
  print('This key is shown only now; store it safely. Send it as "Authorization: Bearer <key>".');
  return 0;
}

async function keysList(redis: RedisClient, json: boolean, print: Print): Promise<number> {
  const keys = await listApiKeys(redis);
  if (json) {
    print(JSON.stringify(keys, null, 2));
    return 0;
  }
  if (keys.length === 0) {
    print('no API keys');
    return 0;
  }
  for (const key of keys) {
    const status = key.revoked_at === null ? 'active' : `revoked ${key.revoked_at}`;
    print(`${key.id}  ${key.role.padEnd(5)}  ${key.created_at}  ${status}  ${key.label}`);
  }
  return 0;
}

async function keysRevoke(redis: RedisClient, keyId: string, print: Print) {
  const revoked = await revokeApiKey(redis, keyId);
  if (revoked === null) {
    print(`no API key with id ${keyId}`);
    return 1;
  }
  print(`revoked ${revoked.id} at ${revoked.revoked_at}`);
  return 0;
}
