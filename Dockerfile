# syntax=docker/dockerfile:1
# Redline: build once, run the compiled JavaScript with production dependencies only.
#   docker build -t redline .
#   docker run -p 3000:3000 -v redline-data:/app/data \
#     -e PUBLIC_BASE_URL=https://policies.example.com -e SESSION_SECRET=… -e AUDIT_KEY=… \
#     -e RESEND_API_KEY=… redline

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 and argon2 compile from source when no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# The same step the production-profile test runs: build output + production dependencies only.
RUN scripts/assemble-runtime.sh /runtime

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=file:/app/data/redline.db
WORKDIR /app
COPY --from=build --chown=root:root /runtime /app
# The database (and the first admin's login file) live in the volume, owned by the unprivileged user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Ready = database reachable, migrations current, dispatcher alive (GET /readyz answers 503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: finish requests and sends, give back waiting batches, exit 0 (within SHUTDOWN_TIMEOUT_SECONDS).
STOPSIGNAL SIGTERM
CMD ["node", "build/server.js"]
