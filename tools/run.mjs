#!/usr/bin/env zx
// @ts-check
// Runs one order-processor variant beside daprd with the project's
// resources: `npx nx run sdk-app:dapr` calls this. Ctrl-C stops the app
// (it prints its last saved order) and daprd.
// (`zx tools/run.mjs --help` lists its options.)
// With REDIS_PASSWORD set, the state store reads it through a secret store
// (secretstores.local.env) from daprd's environment; no file holds it.
import fs from "node:fs";
import path from "node:path";
import { defineCommand } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { startSidecar } from "./stack/sidecar.mjs";
import { REDIS_PASSWORD_ENV, writeRunResources } from "./stack/resources.mjs";
import { REDIS_FLAG } from "./stack/redis.mjs";
import { onCleanup } from "./cli/cleanup.mjs";
import { printEvent } from "./cli/stream.mjs";
import { say } from "./cli/console.mjs";
import { RESOURCES, VARIANTS, VARIANT_NAMES } from "./stack/paths.mjs";

export const command = defineCommand({
  usage: "zx tools/run.mjs",
  about:
    "Runs one order-processor variant beside its own daprd, with the project's resources, until Ctrl-C (the app\n" +
    "prints its last saved order, then daprd stops). `npx nx run <app>:dapr` runs it; app flags then go after\n" +
    "`-- --`, e.g. npx nx run grpc-app:dapr -- -- --count 4.",
  positionals: [
    {
      name: "variant",
      required: true,
      choices: VARIANT_NAMES,
      help: VARIANT_NAMES.map((v) => `${v}: apps/${VARIANTS[v].project}, ${VARIANTS[v].client}`).join("; "),
    },
  ],
  flags: {
    verbose: { type: "boolean", help: "all of daprd's lines, not just the resiliency, component and error ones" },
    redis: REDIS_FLAG,
    resources: { type: "string", value: "<dir>", help: "another resources folder (default: resources/)" },
  },
  rest: "<app flags>",
  restHelp: "passed to the app: --count N, --interval-ms MS, --start-id N, --call-timeout-ms MS, --retry-pause-ms MS",
  notes: `With ${REDIS_PASSWORD_ENV} set, daprd reads the Redis password from it through a secret store (no file holds it).`,
});

await runTool(import.meta.url, command, async ({ values, positionals, rest }) => {
  const variant = /** @type {import("./stack/paths.mjs").VariantName} */ (positionals[0]);
  let resourcesDir = path.resolve(values.resources ?? RESOURCES);
  const { checked } = await ensurePrerequisites({ redisMode: values.redis, resourcesDir });
  if (process.env[REDIS_PASSWORD_ENV] && !checked.storeMeta.redisPassword?.secretKeyRef) {
    // A per-run copy whose state store takes the password from daprd's environment.
    resourcesDir = writeRunResources({ from: resourcesDir, redisPasswordFromEnv: true });
    const dir = resourcesDir;
    onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    say(
      "run",
      `Redis password: from ${REDIS_PASSWORD_ENV} through a secretstores.local.env secret store (resources copied to ${resourcesDir})`,
    );
  }
  const sidecar = await startSidecar({
    command: [process.execPath, VARIANTS[variant].main, ...(rest ?? [])],
    resourcesDir,
    onLine: (e) => printEvent(e, { verbose: values.verbose }),
  });
  say(
    "run",
    `daprd ready for app-id ${sidecar.appId} (HTTP ${sidecar.ports.http}, gRPC ${sidecar.ports.grpc}, metrics ${sidecar.ports.metrics}); ${VARIANTS[variant].project} started. Ctrl-C to stop.`,
  );
  const result = await sidecar.appExited;
  await sidecar.stop();
  say("run", `${VARIANTS[variant].project} exited with code ${result.code ?? result.signal}; daprd stopped`);
  return result.code ?? 1;
});
