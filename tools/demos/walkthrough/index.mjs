// @ts-check
// `npx zx tools/demo.mjs walkthrough`: the seed's resiliency walkthrough,
// replayed and checked for each variant (or any app command after `--`).
//   args.mjs     the command line
//   walk.mjs     one walkthrough, steps 1-2; outage.mjs steps 3-5; judge.mjs step 6 and the result;
//   app-exit.mjs how the app ended
//   verdict.mjs  the rows; report.mjs the table and summary; types.mjs the shapes
import { UsageError } from "../../cli/errors.mjs";
import { ensurePrerequisites } from "../../stack/prerequisites.mjs";
import { sendHumanOutputTo } from "../../cli/console.mjs";
import { VARIANTS } from "../../stack/paths.mjs";
import { walkOne } from "./walk.mjs";
import { DEFAULT_HOLD_MS, startFaultCluster, startFaultProxy } from "./fault-steps.mjs";
import { onCleanup } from "../../cli/cleanup.mjs";
import { notMet, printSummary } from "./report.mjs";

/** @typedef {import("./types.mjs").WalkResult} WalkResult */

/**
 * `demo.mjs walkthrough`: returns the exit code.
 * @param {import("./args.mjs").WalkthroughArgs} opts  from args.mjs
 * @returns {Promise<number>}
 */
export async function runWalkthrough(opts) {
  if (opts.json) sendHumanOutputTo(process.stderr);
  const { redis, checked } = await ensurePrerequisites({
    redisMode: opts.redis,
    needRedisControl: true,
    resourcesDir: opts.resourcesDir,
  });
  const { policy } = checked;
  if (!policy)
    throw new UsageError(
      `${opts.resourcesDir}: its resiliency file has no outbound policy for the statestore component: nothing to walk through.`,
      "Restore resources/resiliency.yaml (see the README).",
    );
  // --fault: daprd reaches Redis through a fault proxy (stop acts on Redis itself, as the seed does).
  const proxied =
    opts.fault && opts.fault.via === "proxy" ? await startFaultProxy(redis, opts.resourcesDir) : undefined;
  if (proxied) onCleanup(() => proxied.stop());
  // failover: a Sentinel cluster of its own instead of the shared Redis.
  const clustered = opts.fault?.via === "cluster" ? await startFaultCluster(opts.resourcesDir) : undefined;
  if (clustered) onCleanup(() => clustered.stop());
  const fault =
    opts.fault && opts.fault.name !== "stop"
      ? {
          fault: opts.fault,
          target: { proxy: proxied?.proxy, redis, cluster: clustered?.cluster },
          holdMs: opts.outageMs ?? DEFAULT_HOLD_MS,
        }
      : undefined;
  /** @type {Record<string, { main: string, project: string }>} */
  const variants = VARIANTS;
  /** @type {WalkResult[]} */
  const results = [];
  for (const variant of opts.variants) {
    const v = variants[variant];
    const command = opts.command ?? [process.execPath, v?.main ?? ""];
    const label = opts.command ? opts.command.join(" ") : (v?.project ?? variant);
    const started = Date.now();
    const result = await walkOne({
      label,
      command,
      redis: clustered?.redis ?? redis,
      policy,
      store: "statestore",
      resourcesDir: proxied?.resourcesDir ?? clustered?.resourcesDir ?? opts.resourcesDir,
      outageMs: opts.outageMs,
      fault,
      verbose: opts.verbose,
    });
    result.seconds = (Date.now() - started) / 1000;
    results.push(result);
  }
  await proxied?.stop();
  await clustered?.stop();
  if (results.length > 1) printSummary(results);
  const ok = results.every((r) => r.ok);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
  if (!ok) process.stderr.write(`\n✖ walkthrough failed; not met:\n  ${notMet(results).join("\n  ")}\n`);
  return ok ? 0 : 1;
}
