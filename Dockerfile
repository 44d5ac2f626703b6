# Container image of the kinematics service.
#
#   docker build -t kinematics-service .
#   docker run --rm -p 8080:8080 -v kinematics-data:/data --read-only \
#     -e ADMIN_TOKEN="$(openssl rand -hex 32)" kinematics-service
#
# The base image is chosen by NODE_VERSION (default: the current Node.js LTS).
ARG NODE_VERSION=24

# ---- build: all dependencies from the lock file, compile src/ to dist/ ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# the viewer page (GET /viewer): its sources, bundled with three.js by esbuild into dist/viewer
COPY viewer ./viewer
RUN npm run build

# ---- runtime: production dependencies, compiled code and the builtin robots ----
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# No production dependency needs an install script; the cache goes to /tmp and is removed in the
# same layer, so the image carries no npm cache or logs.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache \
 && rm -rf /tmp/npm-cache /root/.npm \
 && mkdir -p /data \
 && chown node:node /data
COPY --from=build /src/dist ./dist
COPY robots ./robots

# The application files stay owned by root (read-only for the service); only /data is writable.
ENV HOST=0.0.0.0 \
    PORT=8080 \
    ROBOTS_DIR=/app/robots \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER node

HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# exec form: node is PID 1 and receives SIGTERM itself (it drains and exits 0)
CMD ["node", "dist/server.js"]
