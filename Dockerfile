# bevara: multi-stage image. Built and tested in CI on podman (tests/image/container.test.ts), from a local base
# equivalent to node:24-bookworm-slim (scripts/container-image.sh); elsewhere: docker build -t bevara .
# BASE: Debian 12 with Node 24 in /usr/local (headers included) and a user node (1000:1000), as the official image.
ARG BASE=node:24-bookworm-slim

# Build stage: dev dependencies, better-sqlite3 compiled from source (no prebuilt binary fetched), TypeScript.
FROM ${BASE} AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
# Extra CA certificates for npm's downloads, where a proxy inspects TLS (scripts/container-image.sh passes the
# host's); build stage only.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first, so that a change to the sources alone reuses this layer (the slow native build). node-gyp
# compiles better-sqlite3 against the headers of the base's Node (nodedir) instead of downloading them or a binary.
RUN npm ci --no-audit --no-fund --no-update-notifier --ignore-scripts \
  && npm_config_nodedir=/usr/local npm_config_build_from_source=true npm rebuild --no-update-notifier better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Of better-sqlite3's build only the compiled addon stays (not its C sources and object files); type definitions
# (@types/node, a peer dependency of xmllint-wasm) are not loaded at run time.
RUN npm run build --no-update-notifier && npm prune --omit=dev --no-audit --no-fund --no-update-notifier \
  && find node_modules/better-sqlite3/build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
  && find node_modules/better-sqlite3/build/Release -mindepth 1 ! -name better_sqlite3.node -exec rm -rf {} + \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src node_modules/@types \
  && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"

# Runtime stage: production dependencies, compiled code and profiles; no compiler, no npm; a non-root user.
FROM ${BASE}
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
  /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
  && mkdir -p /data && chown 1000:1000 /data && chmod 0700 /data
ENV NODE_ENV=production BEVARA_DATA_DIR=/data BEVARA_LOG__FORMAT=json
LABEL org.opencontainers.image.title=bevara org.opencontainers.image.licenses=EUPL-1.2 \
  org.opencontainers.image.description="Long-term preservation of public records: E-ARK packages, copies, audits"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY profiles ./profiles
COPY container/entrypoint.sh container/healthcheck.mjs ./container/
# Numeric, so that orchestrators can check that the image does not run as root (user node of the base).
USER 1000:1000
VOLUME ["/data"]
# Healthy while a `bevara worker` in this container rewrites its health file (see container/healthcheck.mjs).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["node", "/app/container/healthcheck.mjs"]
# The entrypoint reads secrets from files and then becomes node itself (exec): signals reach bevara directly.
ENTRYPOINT ["/app/container/entrypoint.sh"]
CMD ["--help"]
