#!/usr/bin/env bash
# The whole test suite: lint, typecheck, then every workspace's vitest tests in one run.
# Called by `./reachmap test` after the toolchain is provisioned.
set -uo pipefail
cd "$REACHMAP_ROOT"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
artifacts="$REACHMAP_ROOT/.test-artifacts"
mkdir -p "$artifacts"
status=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "lint (biome)"
pnpm exec biome ci --error-on-warnings . || status=1

step "typecheck (tsc, every workspace)"
pnpm exec turbo run typecheck --output-logs=errors-only || status=1

step "tests (vitest, every workspace)"
pnpm exec vitest run --reporter=default --reporter=json --outputFile="$artifacts/vitest.json" || status=1

node scripts/summarize-tests.ts "$artifacts/vitest.json" || status=1
exit "$status"
