// @ts-check
// `demo.mjs soak`: the command's flags, the schedule printed before anything
// starts, the run, the report files and the exit code (1 on any loss, repeat,
// gap, app exit, stall or unrecovered daprd, each named on stderr).
import fs from "node:fs";
import path from "node:path";
import { chalk } from "zx";
import { defineCommand, numberFlag } from "../../cli/command.mjs";
import { heading, sendHumanOutputTo, write } from "../../cli/console.mjs";
import { ensureDaprAndApps } from "../../stack/prerequisites.mjs";
import { ROOT } from "../../stack/paths.mjs";
import { LANES, SENTINEL_KINDS, makeSchedule, parseDuration, randomSeed, scheduleText } from "./schedule.mjs";
import { SOAK_STYLES, appIdOf } from "./apps.mjs";
import { runSoak } from "./run.mjs";
import { markdown } from "./report.mjs";
import { renderSvg } from "./svg.mjs";
import { ensureToxiproxy, startToxiproxy } from "../../stack/toxiproxy.mjs";
import { fault } from "../../stack/faults.mjs";

export const COMMAND = defineCommand({
  usage: "npx zx tools/demo.mjs soak",
  about:
    "The four client rows of `compare` at once, each beside its own daprd, on one Redis, under a seeded schedule of random, overlapping faults; then a checker: no order skipped, repeated or lost, no app exit, each app saving again after every fault.",
  flags: {
    duration: { type: "string", value: "<time>", default: "10m", help: "how long: 90s, 3m, 1h, 1h30m" },
    seed: {
      type: "string",
      value: "<n>",
      help: "the schedule's seed (default: a random one, printed); the report's seed replays a run",
    },
    variants: {
      type: "string",
      value: SOAK_STYLES.join(","),
      default: SOAK_STYLES.join(","),
      help: "which client rows",
    },
    redis: {
      type: "string",
      choices: ["local", "sentinel"],
      default: "local",
      help: "local: one redis-server behind the fault proxy; sentinel: a primary, a replica, three Sentinels, and primary failovers instead of the Redis process and network faults",
    },
    durability: {
      type: "string",
      choices: ["async", "safe"],
      help: "with --redis sentinel: async (Redis's default) or safe (min-replicas-to-write 1, appendfsync always); see docs/failover.md",
    },
    out: { type: "string", value: "<dir>", default: "reports", help: "where soak.md, soak.json and soak.svg go" },
    render: {
      type: "string",
      value: "<soak.json>",
      help: "write soak.md and soak.svg again from a run's soak.json (into --out), run nothing",
    },
    json: { type: "boolean", help: "the result as JSON on stdout (the progress goes to stderr)" },
  },
  notes: `Fault kinds: ${Object.entries(LANES)
    .map(([lane, kinds]) => `${lane}: ${kinds.join(", ")}`)
    .join("; ")}.
With --redis sentinel: redis: ${SENTINEL_KINDS.join(", ")} (the primary SIGKILLed, the replica promoted, the old primary back as its replica); daprd as above.
Faults of one lane never overlap; faults of different lanes do. Every kind occurs at least once.`,
});

/** @param {string[]} argv */
export function parseSoakArgs(argv) {
  const { values, help } = COMMAND.parse(argv);
  if (help) return { help: true };
  const durationS = parseDuration(String(values.duration));
  if (durationS === undefined)
    throw COMMAND.fail(`--duration "${values.duration}" is not a duration: give e.g. 90s, 3m or 1h.`);
  if (durationS < 120)
    throw COMMAND.fail(`--duration ${values.duration} is too short: every fault kind needs a place; give at least 2m.`);
  const seed = numberFlag(/** @type {string | undefined} */ (values.seed), "seed", {
    min: 0,
    max: 2 ** 32 - 1,
    integer: true,
  });
  const styles = String(values.variants)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of styles) {
    if (!(/** @type {readonly string[]} */ (SOAK_STYLES).includes(s)))
      throw COMMAND.fail(`Unknown variant "${s}" in --variants: use ${SOAK_STYLES.join(", ")}.`);
  }
  if (styles.length === 0) throw COMMAND.fail("--variants is empty.");
  const redis = /** @type {"local" | "sentinel"} */ (values.redis);
  if (values.durability !== undefined && redis !== "sentinel")
    throw COMMAND.fail("--durability applies to --redis sentinel only (the local Redis fsyncs every write).");
  return {
    help: false,
    durationS,
    seed: seed ?? randomSeed(),
    styles: /** @type {import("./apps.mjs").SoakStyle[]} */ ([...new Set(styles)]),
    out: path.resolve(ROOT, String(values.out)),
    json: Boolean(values.json),
    redis,
    render: values.render === undefined ? undefined : path.resolve(String(values.render)),
    durability: /** @type {"async" | "safe"} */ (values.durability ?? "async"),
  };
}

/**
 * `demo.mjs soak`: returns the exit code.
 * @param {string[]} argv
 */
export async function runSoakCommand(argv) {
  const opts = parseSoakArgs(argv);
  if (opts.help || opts.durationS === undefined) {
    process.stdout.write(`${COMMAND.help()}\n`);
    return 0;
  }
  if (opts.render) return renderAgain(opts.render, opts.out);
  if (opts.json) sendHumanOutputTo(process.stderr);
  await ensureDaprAndApps();
  const sentinel = opts.redis === "sentinel";
  if (!sentinel) await ensureToxiproxy(); // before the clock starts: the first build takes a minute
  // With Sentinel, daprd finds the primary at the address the Sentinels give, so a proxy there would cut
  // the Sentinels off too: the primary's failovers replace the single Redis's process and network faults.
  const lanes = sentinel ? { redis: SENTINEL_KINDS, daprd: LANES.daprd } : LANES;
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
      `\n${chalk.red("✖")} soak failed (seed ${opts.seed}: --seed ${opts.seed} --duration ${opts.durationS}s${sentinel ? " --redis sentinel" : ""} replays its schedule):\n  ${result.verdict.problems.map((p) => p.text).join("\n  ")}\n`,
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
    throw COMMAND.fail(`--render ${file}: ${err instanceof Error ? err.message : err}`);
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
