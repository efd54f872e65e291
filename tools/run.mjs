#!/usr/bin/env zx
// @ts-check
// Runs one order-processor variant beside daprd with the project's
// resources: `npx nx run sdk-app:dapr` calls this. Ctrl-C stops the app
// (it prints its last saved order) and daprd.
//   zx tools/run.mjs sdk|http|grpc [--verbose] [--redis auto|docker|local] [--resources DIR] [-- app flags]
// With REDIS_PASSWORD set, the state store reads it through a secret store
// (secretstores.local.env) from daprd's environment; no file holds it.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { main, scriptArgs } from "./cli/main.mjs";
import { printUsage, wantsHelp } from "./cli/legacy-flags.mjs";
import { UsageError } from "./cli/errors.mjs";
import { ensurePrerequisites } from "./stack/prerequisites.mjs";
import { startSidecar } from "./stack/sidecar.mjs";
import { REDIS_PASSWORD_ENV, writeRunResources } from "./stack/resources.mjs";
import { onCleanup } from "./cli/cleanup.mjs";
import { printEvent } from "./cli/stream.mjs";
import { say } from "./cli/console.mjs";
import { isVariant, RESOURCES, VARIANTS } from "./stack/paths.mjs";

const USAGE =
  "Usage: zx tools/run.mjs sdk|http|grpc [--verbose] [--redis auto|docker|local] [--resources DIR] [-- --count N --interval-ms MS ...]";
const HELP = `${USAGE}

Runs one order-processor variant beside its own daprd, with the project's resources, until Ctrl-C.
  sdk|http|grpc     apps/sdk-app (the @dapr/dapr SDK), apps/http-app (fetch), apps/grpc-app (Connect)
  --verbose         all of daprd's lines, not just the resiliency, component and error ones
  --redis MODE      auto (default): the dapr_redis container if Docker runs one, else the project's redis-server;
                    docker or local to choose
  --resources DIR   another resources folder (default: resources/)
  -- FLAGS          passed to the app: --count N, --interval-ms MS, --start-id N, --call-timeout-ms MS, --retry-pause-ms MS
  -h, --help        this help
With REDIS_PASSWORD set, daprd reads the Redis password from it through a secret store.`;

await main(async () => {
  const argv = scriptArgs(import.meta.url);
  if (wantsHelp(argv)) return printUsage(HELP);
  const dd = argv.indexOf("--");
  const appArgs = dd >= 0 ? argv.slice(dd + 1) : [];
  let parsed;
  try {
    parsed = parseArgs({
      args: dd >= 0 ? argv.slice(0, dd) : argv,
      allowPositionals: true,
      strict: true,
      options: {
        verbose: { type: "boolean", default: false },
        redis: { type: "string", default: "auto" },
        resources: { type: "string", default: RESOURCES },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), USAGE);
  }
  const [variant, ...rest] = parsed.positionals;
  if (!isVariant(variant) || rest.length) {
    throw new UsageError(
      variant ? `Unknown variant "${[variant, ...rest].join(" ")}".` : "Which variant?",
      `${USAGE}\nVariants: ${Object.keys(VARIANTS).join(", ")}`,
    );
  }
  let resourcesDir = path.resolve(parsed.values.resources);
  const { checked } = await ensurePrerequisites({ redisMode: parsed.values.redis, resourcesDir });
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
    command: [process.execPath, VARIANTS[variant].main, ...appArgs],
    resourcesDir,
    onLine: (e) => printEvent(e, { verbose: parsed.values.verbose }),
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
