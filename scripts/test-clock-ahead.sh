#!/usr/bin/env bash
# Runs the time-sensitive workspaces with the clock three years ahead (libfaketime), so a test that
# pins a date near "now" (which retention TTLs, expiries or "too old" checks later overtake) fails
# today instead of on some later day. Called by scripts/test.sh; usable alone from the repository root.
set -euo pipefail
offset="${REACHMAP_CLOCK_AHEAD:-+1095d}"
if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is missing (Debian: apt-get install faketime); the clock-ahead run needs it" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi

# libfaketime 0.9.10 cannot start redis-server (its jemalloc calls clock_gettime while libfaketime is
# still initialising: "Unexpected recursive calls to clock_gettime()", and the server exits). The tests'
# redis-server runs on the real clock through this wrapper; what is judged ahead is Node's clock, which
# computes every expiry reachmap hands to Redis (PEXPIREAT and friends take absolute times from it).
shim="$(mktemp -d)"
trap 'rm -rf "$shim"' EXIT
real_redis="$(command -v redis-server)"
printf '#!/bin/sh\nunset LD_PRELOAD FAKETIME\nexec %q "$@"\n' "$real_redis" >"$shim/redis-server"
chmod +x "$shim/redis-server"

# A run that silently did not move the clock would prove nothing.
real_year="$(date -u +%Y)"
faked_year="$(faketime -f "$offset" node -e 'process.stdout.write(String(new Date().getUTCFullYear()))')"
if [ "$faked_year" -lt $((real_year + 2)) ]; then
  echo "faketime did not move Node's clock (real $real_year, under faketime $faked_year)" >&2
  exit 1
fi
echo "Node's clock under faketime $offset: year $faked_year (real $real_year)" >&2

PATH="$shim:$PATH" faketime -f "$offset" pnpm exec vitest run \
  packages/store packages/rollup packages/agent-auth packages/pki packages/targets \
  packages/aggregator packages/collector packages/api apps/cli/src/supervisor "$@"
