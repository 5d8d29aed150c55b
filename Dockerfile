# syntax=docker/dockerfile:1

# Build: install every dependency, compile, then drop the dev dependencies and the optional ones
# (the Node.js binary that `npm install` brings for machines without Node 24, SWC's platform
# binaries): the image's own Node.js runs the service.
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --omit=optional

# Runtime: production dependencies and the compiled service only, run as the unprivileged `node` user.
FROM node:24.22.3-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `npm run seed` and `npm run user:role` in the container (nothing to build there).
COPY scripts/build-if-needed.js ./scripts/
# The embedded mode (no DATABASE_URL) keeps its data here.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The young generation capped at 16 MiB, as `npm start` runs it: see bench/README.md.
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
