# The iomt services and CLI. Build from the repository root: docker build -t iomt .
FROM node:20-bookworm-slim

WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip NODE_ENV=production

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --include=dev

COPY tsconfig.json ./
COPY schemas ./schemas
COPY pipelines ./pipelines
COPY services ./services
COPY bench ./bench
COPY test ./test
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

ENTRYPOINT ["node", "dist/services/cli/main.js"]
CMD ["--help"]
