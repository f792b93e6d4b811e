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
# An unprivileged user with a UID of 10000 or more, which matches no account of the host's own /etc/passwd
# (the base image's "node" is 1000, a common host UID). USER is numeric so that Kubernetes' runAsNonRoot can
# verify it; the Helm chart's podSecurityContext sets the same IDs.
RUN groupadd --gid 10001 crm \
  && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin crm
COPY --from=build --chown=10001:10001 /app/package.json ./package.json
COPY --from=build --chown=10001:10001 /app/node_modules ./node_modules
COPY --from=build --chown=10001:10001 /app/dist ./dist
# No keys and no .env are baked in: configuration comes from the environment (or *_FILE secrets) at run time.
USER 10001:10001
EXPOSE 4003
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SERVER_PORT || 4003) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Operator commands run from the same image, e.g. `node dist/apps/crm/apps/crm/src/cli/main.js keys status`.
CMD ["node", "dist/apps/crm/apps/crm/src/main.js"]
