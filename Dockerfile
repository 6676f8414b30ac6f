# bevara: multi-stage image. Untested on the development machines (they run no Docker engine); see README.
# Build stage: dev dependencies, native build of better-sqlite3, TypeScript compile.
FROM node:24-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# Runtime stage: production dependencies, compiled code and profiles only; runs as a non-root user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production BEVARA_DATA_DIR=/data BEVARA_LOG__FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY profiles ./profiles
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["--help"]
