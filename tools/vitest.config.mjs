// @ts-check
// One Vitest run for the whole repo (the top level holds no config files).
// unit: our own logic, in-memory fakes only. integration: real daprd, real
// Redis, real SDK; each test starts its own Redis and daprd on free ports.
import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  test: {
    root,
    projects: [
      {
        test: {
          name: "unit",
          root,
          include: ["libs/*/src/**/*.spec.ts", "apps/*/src/**/*.spec.ts", "tools/**/*.spec.mjs"],
          exclude: ["**/*.int.spec.*", "**/node_modules/**", "**/dist/**"],
          // gc() for order-loop.gc.spec.ts, which forces full GCs while a call waits
          // (Node 20 lost AbortSignal.any timeouts after one). Harmless to the rest.
          execArgv: ["--expose-gc"],
        },
      },
      {
        test: {
          name: "integration",
          root,
          include: ["apps/*/src/**/*.int.spec.ts", "tools/e2e/**/*.int.spec.mjs"],
          exclude: ["**/node_modules/**", "**/dist/**"],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // 2 cores: integration files run one after another, each on its own ports.
          fileParallelism: false,
        },
      },
    ],
  },
});
