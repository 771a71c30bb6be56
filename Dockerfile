# HealthTrack production image: build with dev dependencies, run with production ones only.
#   docker build -t healthtrack .
#   docker run -p 3000:3000 -e HOST=0.0.0.0 -e DATABASE_URL=postgres://… -e HEALTHTRACK_WORKERS=auto healthtrack
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 HEALTHTRACK_WEB_DIR=/app/dist/web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY bin ./bin
USER node
EXPOSE 3000
# SIGTERM reaches node directly (exec form): in-flight requests finish before it exits.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
