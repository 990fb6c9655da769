# syntax=docker/dockerfile:1
# Crondeck: API + scheduler + in-process executors + dashboard, as an unprivileged user.
#   docker build -t crondeck .
#   docker run -d -p 3000:3000 -v crondeck-data:/app/data --stop-timeout 45 \
#     -e ADMIN_PASSWORD_FILE=/run/secrets/admin_password crondeck
ARG NODE_IMAGE=node:24-bookworm-slim
ARG PNPM_VERSION=12.21.0

# --- dependencies: only the manifests, so this layer is rebuilt only when they change -----------
FROM ${NODE_IMAGE} AS deps
ARG PNPM_VERSION
WORKDIR /app
# pnpm from npm (corepack's signature check fails on some machines); a compiler for native
# modules whose prebuilt binary cannot be fetched.
RUN npm install -g "pnpm@${PNPM_VERSION}" \
 && apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/server/package.json apps/server/
COPY apps/executor/package.json apps/executor/
COPY apps/cli/package.json apps/cli/
COPY apps/web/package.json apps/web/
COPY bench/package.json bench/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/executor/package.json packages/executor/
COPY packages/notify/package.json packages/notify/
COPY packages/scheduler/package.json packages/scheduler/
COPY packages/worker/package.json packages/worker/
COPY packages/transport/package.json packages/transport/
COPY packages/api-client/package.json packages/api-client/
COPY packages/testing/package.json packages/testing/
# The postinstall step generates the Prisma clients from the schema.
COPY packages/db/scripts packages/db/scripts
COPY prisma prisma
RUN pnpm install --frozen-lockfile

# --- build: the server and its packages compiled to JavaScript (tsc, into each package's dist/), the
# dashboard, then drop the development dependencies (tsx, TypeScript, vitest) and every TypeScript
# source: the image runs only what was compiled.
FROM deps AS build
COPY . .
RUN pnpm --filter "@crondeck/server..." --filter "@crondeck/executor-process..." --filter @crondeck/web build \
 && CI=true pnpm prune --prod --ignore-scripts \
 && rm -rf apps/web/src apps/web/e2e bench docs apps/server/src apps/server/test apps/executor/src packages/*/src packages/*/test \
    packages/db/generated

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini reaps the orphans of SHELL tasks' process groups; Node as PID 1 would leave zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 crondeck \
 && useradd --system --uid 10001 --gid crondeck --home-dir /app/data --shell /usr/sbin/nologin crondeck \
 && mkdir -p /app/data \
 && chown crondeck:crondeck /app/data
WORKDIR /app
# Owned by root and read-only to the service: a SHELL task cannot rewrite Crondeck itself.
COPY --from=build /app /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE_URL=file:/app/data/crondeck.db \
    LOG_FORMAT=json
VOLUME ["/app/data"]
EXPOSE 3000
# SHELL tasks run as this user, never as root.
USER crondeck
WORKDIR /app/apps/server
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The engine waits up to 30 s for runs under way on SIGTERM: give the container longer than that
# (docker run --stop-timeout 45, compose stop_grace_period: 45s), or runs end as LOST on every deploy.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
# --conditions=crondeck-dist points the workspace packages' exports at their compiled dist/.
# --max-semi-space-size=16: V8 otherwise grows its young generation to 64 MB a half while 100,000
# tasks are read and armed at start, and never gives it back (~90 MB of RSS; package.json's start too).
CMD ["node", "--conditions=crondeck-dist", "--max-semi-space-size=16", "dist/server.js"]
