#!/usr/bin/env bash
# Runs "$@" in a network namespace of its own where the kernel allows one (unshare -rn, no root
# needed), with its loopback up, so a demo started there cannot collide with another `reachmap up`
# demo on this machine's loopback addresses (the soak's demo binds the same lab addresses as every
# other). Where no namespace can be made it says so and runs "$@" as it is.
# `own-network-namespace.sh --check` only answers whether one can be made (exit 0) or not (exit 1).
set -uo pipefail
possible() { unshare --map-root-user --net true 2>/dev/null; }
if [ "${1:-}" = "--check" ]; then
  possible
  exit
fi
if possible; then
  # shellcheck disable=SC2016 # expanded by the inner shell, inside the namespace
  exec unshare --map-root-user --net sh -c 'PATH="$PATH:/usr/sbin:/sbin" ip link set lo up && exec "$@"' isolated "$@"
fi
echo "note: no network namespace can be made here (unshare -rn); running on this machine's loopback, so no other 'reachmap up' demo may run beside it" >&2
exec "$@"
