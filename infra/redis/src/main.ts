// `node infra/redis/src/main.ts [masters]`: a local Redis Cluster for trying reachmap on one machine.
// Prints the REDIS_URL to give every reachmap process, and tears the cluster down on Ctrl-C.
import { startLocalCluster } from './local-cluster.ts';

const masters = Number(process.argv[2] ?? '3');
const cluster = await startLocalCluster({ masters });
process.stdout.write(`REDIS_URL=${cluster.redisUrl}\n`);
process.stderr.write(
  `cluster of ${masters} masters in ${cluster.dir}; Ctrl-C stops it and removes the data\n`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cluster.stop().then(() => process.exit(0)));
}
