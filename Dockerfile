# Crondeck API + scheduler + in-process executors + dashboard (and, with another command, an executor).
FROM node:24-bookworm-slim
WORKDIR /app
# The pinned pnpm, installed with npm (corepack's signature check fails on some machines).
RUN npm install -g pnpm@12.21.0 && apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
COPY . .
RUN pnpm install --frozen-lockfile && pnpm --filter @crondeck/web build
ENV HOST=0.0.0.0 PORT=3000 NODE_ENV=production
EXPOSE 3000
# tini reaps the orphans of SHELL tasks' process groups; Node as PID 1 would leave zombies.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["pnpm", "start"]
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
