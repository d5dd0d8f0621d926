import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/**
 * Without root, the kernel lab runs inside an unprivileged user namespace (`unshare -rnm`): root
 * there owns a fresh network namespace and mount namespace, which is all the topology needs
 * (veths, `ip netns`, nft, iptables-nft string match, HTB). In that mount namespace only, `/run`
 * becomes a private tmpfs (for /run/netns and iptables' lock file) and `/etc` a copy-on-write overlay
 * with a tmpfs on /etc/netns (for the namespaces' resolv.conf): neither is writable by the user outside, and
 * the real ones are never touched. The lab's collector, API and Redis run inside too, on the
 * namespace's own loopback.
 */
const ENTER = [
  'mount -t tmpfs tmpfs /run',
  'mkdir -p /run/netns /run/.lab-etc/upper /run/.lab-etc/work',
  'mount -t overlay overlay -o lowerdir=/etc,upperdir=/run/.lab-etc/upper,workdir=/run/.lab-etc/work /etc',
  // A root lab on the same machine leaves /etc/netns owned by the real root: a tmpfs of our own over it.
  'mkdir -p /etc/netns',
  'mount -t tmpfs tmpfs /etc/netns',
  'ip link set lo up',
].join(' && ');
const UNSHARE = ['unshare', '--map-root-user', '--net', '--mount', '--propagation', 'private'];
/** ip, nft, tc and iptables live in sbin, which a normal user's PATH often leaves out. */
const SBIN_PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
/** Set in the re-executed process, so it does not try again and says where it runs. */
export const IN_USER_NAMESPACE_ENV = 'REACHMAP_LAB_USER_NAMESPACE';

/** Whether this kernel lets this user build the kernel lab in a user namespace: tried, not guessed. */
export function userNamespaceLabWorks(): boolean {
  const probe = `${ENTER} && ip netns add probe && ip netns exec probe nft list tables && ip netns del probe`;
  const env = { ...process.env, PATH: SBIN_PATH };
  return (
    spawnSync(UNSHARE[0] ?? '', [...UNSHARE.slice(1), 'sh', '-c', probe], { stdio: 'ignore', env }).status ===
    0
  );
}

/**
 * Runs this same command (node, its flags, the script and its arguments) again inside the user
 * namespace, passing SIGINT/SIGTERM on; resolves with its exit code.
 */
export function rerunInUserNamespace(): Promise<number> {
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child: ChildProcess = spawn(
    UNSHARE[0] ?? '',
    [...UNSHARE.slice(1), 'sh', '-c', `${ENTER} && exec "$@"`, 'lab', ...argv],
    { stdio: 'inherit', env: { ...process.env, PATH: SBIN_PATH, [IN_USER_NAMESPACE_ENV]: '1' } },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal === 'SIGINT' ? 130 : 143));
    });
  });
}
