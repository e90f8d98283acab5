# The relay's receiver and worker (one image, two commands; see docker-compose.yml).
# TypeScript is compiled, the workflow bundle and the web console built here (`npm run build`), so a container
# runs `node` on dist/: nothing is compiled, bundled or written at start.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
COPY scripts ./scripts
COPY console ./console
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# dist/: the compiled relay, its migrations and the prebuilt workflow bundle.
COPY --from=build /app/dist ./dist
# console/dist/: the web console's built files, served at /console.
COPY --from=build /app/console/dist ./console/dist
COPY config ./config
# With DATABASE_URL and RELAY_MASTER_KEY (production) nothing is written to RELAY_DATA_DIR; it is
# writable anyway for a one-container trial with the embedded store.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
CMD ["node", "dist/src/entry/main.js"]
