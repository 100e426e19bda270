# syntax=docker/dockerfile:1
#
# The Tekton Results image: the commands tekton-results-server,
# tekton-results-retention and tekton-results-watcher, on the PATH of one
# image (the manifests in deploy/
# pick one with `command:`/`args:`).
#
#   docker build -t ghcr.io/tekton-results-ts/server:0.1.0 .
#
# Stages: `toolchain` (Node.js and the tools better-sqlite3's native build
# needs), `build` (npm ci from the lockfile, the build, pack.sh: the tarballs
# of the workspace packages the commands run from), `install` (install.sh: a
# production-only install of those tarballs into /app, from a prefix lockfile
# pinned as the repository's), `runtime` (slim: Node.js, tini and /app; no npm,
# no compiler, no sources). The image runs as uid 65532 and writes only to
# /data (the database and the logs) and /tmp, so it runs with a read-only
# root filesystem. The install steps are scripts (scripts/image/) so that they
# are tested without a container runtime (test/image.test.ts).

ARG NODE_IMAGE=node:22.20.0-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    npm_config_update_notifier=false

FROM toolchain AS build
WORKDIR /src
COPY . .
# Every dependency, dev tools included, exactly as package-lock.json has them;
# the root `prepare` script builds every package's dist/.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN sh scripts/image/pack.sh /pack

FROM toolchain AS install
COPY --from=build /pack /pack
COPY scripts/image/install.sh /usr/local/bin/tekton-results-install
RUN --mount=type=cache,target=/root/.npm sh /usr/local/bin/tekton-results-install /pack /app

FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to Node.js (the commands then stop
# gracefully) and reaps children. npm, npx, corepack and yarn go: nothing in
# the image installs or downloads at run time.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
  && groupadd --gid 65532 nonroot \
  && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin nonroot \
  && mkdir -p /data \
  && chown 65532:65532 /data
COPY --from=install /app /app

LABEL org.opencontainers.image.title="Tekton Results" \
      org.opencontainers.image.description="Tekton Results API server and watcher" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/app/bin:$PATH \
    NODE_ENV=production
# The server's defaults, ./data/results.db and ./data/logs, are /data/results.db
# and /data/logs from here, the paths the manifests set.
WORKDIR /
VOLUME ["/data"]
# The API (gRPC, gRPC-Web, Connect, REST, /healthz, /readyz, /metrics) and the
# watcher's /metrics, /healthz and /readyz.
EXPOSE 8080 9090
USER 65532:65532
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["tekton-results-server"]
