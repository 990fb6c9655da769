#!/usr/bin/env bash
# Sets up a fresh checkout: Node 24 + pnpm when missing, dependencies from the lockfile, the
# Prisma clients (by pnpm install's postinstall), the compiled server that `pnpm start` runs, the
# compiled executor that `pnpm executor` runs, and the dashboard build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
pnpm install --frozen-lockfile
pnpm --filter "@crondeck/server..." --filter "@crondeck/executor-process..." --filter @crondeck/web build
