#!/usr/bin/env bash
# One command from a fresh clone to a full test run: installs what the tests need (toolchain,
# dependencies, dashboard build, Chromium for the browser suite), makes sure the local MariaDB and
# NATS are up when this machine has them, then runs every suite. With CI=true, a missing MySQL,
# NATS or Chromium fails the run instead of skipping its suites.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
bash scripts/services.sh
pnpm lint
pnpm typecheck
pnpm exec vitest run
