// @ts-check
// `demo.mjs soak`: the schedule printed before anything starts (the flags are
// args.mjs's), the run, the report files and the exit code (1 on any loss, repeat,
// gap, app exit, stall or unrecovered daprd, each named on stderr).
import fs from "node:fs";
import path from "node:path";
import { chalk } from "zx";
import { heading, sendHumanOutputTo, write } from "../../cli/console.mjs";
import { ensureDaprAndApps } from "../../stack/prerequisites.mjs";
import { LANES, PARTITION_KINDS, SENTINEL_KINDS, makeSchedule, scheduleText } from "./schedule.mjs";
import { ensurePartitionPossible } from "../../stack/partition.mjs";
import { command } from "./args.mjs";
import { appIdOf } from "./apps.mjs";
import { runSoak } from "./run.mjs";
import { partitionPromise } from "./checker.mjs";
import { markdown } from "./report.mjs";
import { renderSvg } from "./svg.mjs";
import { ensureToxiproxy, startToxiproxy } from "../../stack/toxiproxy.mjs";
import { fault } from "../../stack/faults.mjs";

/**
 * `demo.mjs soak`: returns the exit code.
 * @param {import("./args.mjs").SoakOptions} opts  from args.mjs
 */
export async function runSoakCommand(opts) {
  if (opts.render) return renderAgain(opts.render, opts.out);
  if (opts.json) sendHumanOutputTo(process.stderr);
  if (opts.partition) await ensurePartitionPossible(); // exit 2 before anything starts: not Linux, not root
  await ensureDaprAndApps();
  const sentinel = opts.redis === "sentinel";
  if (!sentinel) await ensureToxiproxy(); // before the clock starts: the first build takes a minute
  // With Sentinel, daprd finds the primary at the address the Sentinels give, so a proxy there would cut
  // the Sentinels off too: the primary's failovers replace the single Redis's process and network faults.
  // With --partition, partitions are the only faults: each lost order then belongs to one of them.
  const lanes = opts.partition
    ? { redis: PARTITION_KINDS }
    : sentinel
      ? { redis: SENTINEL_KINDS, daprd: LANES.daprd }
      : LANES;
  const schedule = makeSchedule({
    seed: opts.seed,
    durationS: opts.durationS,
    lanes,
    targets: opts.styles.map(appIdOf),
  });
  heading(`Soak: seed ${opts.seed}, ${opts.durationS} s, ${schedule.faults.length} faults`);
  write(`   #        at        for  lane     fault\n${scheduleText(schedule)}\n\n`);
  const result = await runSoak({
    schedule,
    styles: opts.styles,
    proxy: sentinel ? undefined : throughProxy,
    redisMode: opts.redis,
    durability: opts.durability,
    partition: opts.partition ? partitionPromise(opts.durability) : undefined,
    appEnv: opts.consistency ? { STATE_CONSISTENCY: opts.consistency } : {},
  });
  fs.mkdirSync(opts.out, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  fs.writeFileSync(path.join(opts.out, "soak.json"), `${json}\n`);
  fs.writeFileSync(path.join(opts.out, "soak.md"), markdown(result));
  fs.writeFileSync(path.join(opts.out, "soak.svg"), renderSvg(result));
  heading("Result");
  write(`${markdown(result).split("\n## Schedule")[0]}\n`);
  write(`report: ${path.relative(process.cwd(), path.join(opts.out, "soak.md"))} (.json, .svg)\n`);
  if (opts.json) process.stdout.write(`${json}\n`);
  if (!result.verdict.ok) {
    process.stderr.write(
      `\n${chalk.red("✖")} soak failed (seed ${opts.seed}: --seed ${opts.seed} --duration ${opts.durationS}s${sentinel ? ` --redis sentinel --durability ${opts.durability}` : ""}${opts.partition ? " --partition" : ""}${opts.consistency ? ` --consistency ${opts.consistency}` : ""} replays its schedule):\n  ${result.verdict.problems.map((p) => p.text).join("\n  ")}\n`,
    );
  }
  return result.verdict.ok ? 0 : 1;
}

/**
 * soak.md and soak.svg from a soak.json.
 * @param {string} file @param {string} out
 */
function renderAgain(file, out) {
  let result;
  try {
    result = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw command.fail(`--render ${file}: ${err instanceof Error ? err.message : err}`);
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "soak.md"), markdown(result));
  fs.writeFileSync(path.join(out, "soak.svg"), renderSvg(result));
  write(`wrote ${path.join(out, "soak.md")} and soak.svg from ${file}\n`);
  return result.verdict?.ok ? 0 : 1;
}

/**
 * The fault proxy between every daprd and Redis: Toxiproxy (built with `go install` when missing), one
 * proxy in front of the soak's Redis; a network fault is the lab's (stack/faults.mjs) applied to it.
 * @type {NonNullable<Parameters<typeof runSoak>[0]["proxy"]>}
 */
async function throughProxy(redisPort) {
  const toxiproxy = await startToxiproxy();
  const proxy = await toxiproxy.createProxy({ name: "soak-redis", upstream: redisPort });
  return {
    port: proxy.port,
    async fault(kind) {
      const f = fault(kind);
      await f.apply({ proxy });
      return () => f.clear({ proxy });
    },
  };
}
