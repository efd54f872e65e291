// @ts-check
// `demo.mjs failover`: the command's entry point (prerequisites, one
// run per variant, the summary and the exit code); the rounds are flow.mjs's.
import { chalk } from "zx";
import { checkResources } from "../../stack/resources.mjs";
import { sendHumanOutputTo } from "../../cli/console.mjs";
import { ensureDaprAndApps } from "../../stack/prerequisites.mjs";
import { failoverVariant } from "./flow.mjs";
import { printSummary } from "./report.mjs";

/** @typedef {import("./report.mjs").VariantResult} VariantResult */

/**
 * `demo.mjs failover`: returns the exit code.
 * @param {import("./args.mjs").FailoverOptions} opts  from args.mjs
 */
export async function runFailover(opts) {
  if (opts.json) sendHumanOutputTo(process.stderr);
  // Dapr, placement/scheduler and the built apps; not the shared Redis on 6379, which this demo never uses.
  checkResources();
  await ensureDaprAndApps();
  if (opts.latency) return (await import("./latency.mjs")).runLatency(opts);
  /** @type {VariantResult[]} */
  const results = [];
  for (const variant of opts.variants) {
    results.push(
      await failoverVariant({
        variant,
        rounds: opts.rounds,
        durability: opts.durability,
        replicas: opts.replicas,
        intervalMs: opts.intervalMs,
        downAfterMs: opts.downAfterMs,
      }),
    );
  }
  if (results.length > 1) printSummary(results);
  const ok = results.every((r) => r.ok);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
  if (!ok) {
    const missing = results.flatMap((r) =>
      [...r.rows, ...r.rounds.flatMap((x) => x.rows)]
        .filter((x) => !x.ok && !x.target)
        .map((x) => `${r.variant}: ${x.name}`),
    );
    process.stderr.write(`\n${chalk.red("✖")} failover failed; not met:\n  ${missing.join("\n  ")}\n`);
  }
  return ok ? 0 : 1;
}
