#!/usr/bin/env bash
# One command from a fresh clone to a running Crondeck on http://localhost:3000 (SQLite under
# ./data, no other service needed; SHELL attempts run in a local worker child process).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/toolchain.sh
exec pnpm start
