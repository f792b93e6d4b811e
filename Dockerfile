# syntax=docker/dockerfile:1
# Build: docker build -t crm-midaz .   (needs a Docker engine; none runs on the project's CI machines)

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --loglevel=error
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx nest build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The image's unprivileged "node" user (uid 1000); no keys and no .env are baked in: configuration comes
# from the environment (or *_FILE secrets) at run time.
USER node
EXPOSE 4003
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SERVER_PORT || 4003) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Operator commands run from the same image, e.g. `node dist/apps/crm/apps/crm/src/cli/main.js keys status`.
CMD ["node", "dist/apps/crm/apps/crm/src/main.js"]
