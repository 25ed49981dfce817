# syntax=docker/dockerfile:1
# The assistant as an image: build with dev dependencies, run with production ones only.
#   docker build -t digitick-onboard .
#   docker run --rm -p 3000:3000 --env-file .env digitick-onboard
# SIGTERM: node is PID 1 (exec form, no npm, no shell) and the app handles SIGTERM and SIGINT
# itself (stops accepting, finishes work in flight, closes the store, exits within 10 s), so
# `--init` is not needed; it does no harm either.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY templates ./templates
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=3000 DATABASE_URL=sqlite:/app/data/onboarding.db
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node templates ./templates
# Read at run time in Slack OAuth mode (the install link's scopes); see RUNTIME_FILES.
COPY --chown=node:node adapters/slack/manifest.yaml ./adapters/slack/manifest.yaml
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/adapters/main.js"]
