import { parseArgs } from 'node:util';
import type { RedisClient } from '@reachmap/queue';
import { createApiKey, listApiKeys, revokeApiKey } from '../access/api-keys.ts';
import { ApiRole } from '../access/principal.ts';

export const KEYS_USAGE = `Usage:
  reachmap admin keys create --role read|admin --label LABEL
      Create an API key (rmk_…). It is shown once; only its SHA-256 is stored.
  reachmap admin keys list [--json]
      List API keys: id, role, label, created, revoked. Never the keys themselves.
  reachmap admin keys revoke KEY_ID
      Refuse every further request made with the key (401).`;

/** Runs `reachmap admin keys …` (args start after `keys`); returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runKeysCommand(
  args: string[],
  redis: RedisClient,
  print: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parseKeysArgs>;
  try {
    parsed = parseKeysArgs(args);
  } catch (error) {
    print(`${(error as Error).message}\n\n${KEYS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [action, keyId] = positionals;
  if (values.help === true || action === undefined) {
    print(KEYS_USAGE);
    return 0;
  }
  switch (action) {
    case 'create':
      return await keysCreate(redis, values.role, values.label, print);
    case 'list':
      return await keysList(redis, values.json === true, print);
    case 'revoke':
      return await keysRevoke(redis, keyId, print);
    default:
      print(`unknown keys command "${action}"\n\n${KEYS_USAGE}`);
      return 2;
  }
}

function parseKeysArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      role: { type: 'string' },
      label: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function keysCreate(
  redis: RedisClient,
  role: string | undefined,
  label: string | undefined,
  print: (line: string) => void,
): Promise<number> {
  const parsedRole = ApiRole.safeParse(role);
  if (!parsedRole.success) {
    print(`keys create needs --role read or --role admin (got ${JSON.stringify(role) ?? 'nothing'})`);
    return 2;
  }
  if (label === undefined || label.trim() === '') {
    print('keys create needs --label LABEL (who holds the key, e.g. "newsroom-dashboard")');
    return 2;
  }
  const { record, secret } = await createApiKey(redis, { role: parsedRole.data, label: label.trim() });
  print(`created ${record.id} (${record.role}, "${record.label}")`);
  print(`key: ${secret}`);
  print('This key is shown only now; store it safely. Send it as "Authorization: Bearer <key>".');
  return 0;
}

async function keysList(redis: RedisClient, json: boolean, print: (line: string) => void): Promise<number> {
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

async function keysRevoke(redis: RedisClient, keyId: string | undefined, print: (line: string) => void) {
  if (keyId === undefined) {
    print('keys revoke needs KEY_ID (see "reachmap admin keys list")');
    return 2;
  }
  const revoked = await revokeApiKey(redis, keyId);
  if (revoked === null) {
    print(`no API key with id ${keyId}`);
    return 1;
  }
  print(`revoked ${revoked.id} at ${revoked.revoked_at}`);
  return 0;
}
