// @ts-check
// `compare`: the client styles side by side on this machine, each at its limit
// and at the same fixed rates, with the CPU of every process accounted per
// call; start-up and memory against a bare Node; daprd settings that move the
// ceiling; the same Redis outage for each app; code and packages. Writes
// reports/compare.{md,svg,json}; --json prints the result on stdout.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { command } from "./args.mjs";
import { say, heading, write, sendHumanOutputTo } from "../../cli/console.mjs";
import { onCleanup } from "../../cli/cleanup.mjs";
import { startRedis } from "../../stack/isolated-stack.mjs";
import { checkResources, writeRunResources } from "../../stack/resources.mjs";
import { ensureDaprAndApps } from "../../stack/prerequisites.mjs";
import { machine, versions, pinCpus, BusyTracker, procStatus } from "./procs.mjs";
import { codeVariant } from "./code.mjs";
import { startDaprd } from "./host.mjs";
import { bound, runSteady } from "./steady.mjs";
import { appStartup, driverStartup } from "./startup.mjs";
import { runSettings } from "./settings.mjs";
import { outageVariant, resiliencyYaml } from "./outage.mjs";
import { tables } from "./report.mjs";
import { markdown } from "./page.mjs";
import { renderSvg } from "./svg.mjs";

/** How much of everything: the full run stays under 10 minutes, --quick about a minute. */
export const PLANS = {
  full: {
    rounds: 5,
    warmCalls: 1000,
    rewarmCalls: 100,
    concurrency: 16,
    maxMs: 2000,
    rates: [200, 1000],
    openMs: 2000,
    startupReps: 3,
    driverStartupReps: 3,
    settings: true,
    settingsRounds: 5,
    settingsMaxMs: 1500,
    settingsOpenMs: 1000,
    outage: "all",
    ordersBefore: 5,
    afterOpenMs: 3_000,
    capMs: 45_000,
    afterRecoveryMs: 4_000,
  },
  quick: {
    rounds: 2,
    warmCalls: 200,
    rewarmCalls: 50,
    concurrency: 16,
    maxMs: 500,
    rates: [200, 1000],
    openMs: 400,
    startupReps: 1,
    driverStartupReps: 1,
    settings: false,
    settingsRounds: 2,
    settingsMaxMs: 400,
    settingsOpenMs: 300,
    outage: "first",
    ordersBefore: 3,
    afterOpenMs: 1_500,
    capMs: 20_000,
    afterRecoveryMs: 2_000,
  },
};

/** The steady-state rows for the chosen apps: sdk-app gets one per protocol. @param {string[]} variants */
export const rowsFor = (variants) => [
  "redis",
  ...variants.flatMap((v) => (v === "sdk" ? ["sdk-http", "sdk-grpc"] : [v])),
  "ceiling",
  "grpc-ceiling",
];

/**
 * `demo.mjs compare`; returns the exit code.
 * @param {import("./args.mjs").CompareOptions} opts  from args.mjs
 */
export async function runCompare(opts) {
  if (opts.json) sendHumanOutputTo(process.stderr);
  if (opts.render) {
    let saved;
    try {
      saved = JSON.parse(fs.readFileSync(opts.render, "utf8"));
    } catch (err) {
      throw command.fail(`--render ${opts.render}: ${/** @type {Error} */ (err).message}`);
    }
    if (saved?.tool !== "compare" || !saved.steady?.rows)
      throw command.fail(`--render ${opts.render}: not a compare.json written by this version of compare.`);
    // What stops each row is a reading of the stored numbers: read them again with today's code.
    for (const s of Object.values(saved.steady.rows)) Object.assign(s.max, bound(s.max, saved.pinning?.enabled));
    writeReport(saved, opts.out, opts.json);
    return 0;
  }
  const started = Date.now();
  const plan = { ...PLANS[opts.quick ? "quick" : "full"] };
  if (opts.settings) plan.settings = true;
  const rows = rowsFor(opts.variants);
  /** @type {any} */
  const result = {
    tool: "compare",
    date: new Date().toISOString(),
    argv: opts.argv,
    quick: opts.quick,
    variants: opts.variants,
    rows,
    plan,
  };
  result.machine = await machine(); // before the build below adds load of its own
  await ensureDaprAndApps();
  result.versions = await versions();
  result.code = Object.fromEntries(opts.variants.map((v) => [v, codeVariant(v)]));

  const pin = await pinCpus();
  say("compare", `CPUs: ${pin.note}`);
  const ours = new Set([process.pid]);
  const busy = new BusyTracker(ours);
  /** @type {any} */
  let redis;
  /** @type {import("./host.mjs").Daprd | undefined} */
  let daprd;
  /** @type {() => void} */
  let removeCleanup = () => undefined;
  try {
    redis = await startRedis();
    removeCleanup = onCleanup(async () => {
      await redis.stop();
      fs.rmSync(redis.dir, { recursive: true, force: true });
    });
    ours.add(redis.pid());
    say("compare", `own redis-server on 127.0.0.1:${redis.port} (data in ${redis.dir})`);
    const appIds = opts.variants.flatMap((v) => [`startup-${v}`, `outage-${v}`]).concat(["bench", "bench-settings"]);
    const resources = { replace: { "resiliency.yaml": resiliencyYaml(appIds, false) } };
    const outageResources = { replace: { "resiliency.yaml": resiliencyYaml(appIds, opts.quick) } };
    const probe = writeRunResources(outageResources);
    /** @type {any} the policy the outage runs under, as checkResources read it */
    const policy = checkResources(probe).policy;
    fs.rmSync(probe, { recursive: true, force: true });

    daprd = await startDaprd({ redis, pin, appId: "bench", resources });
    ours.add(daprd.daprdPid).add(daprd.barePid);
    result.pinning = {
      enabled: pin.enabled,
      note: pin.note,
      observed: {
        redis: procStatus(redis.pid(), "Cpus_allowed_list"),
        daprd: procStatus(daprd.daprdPid, "Cpus_allowed_list"),
        bareNode: procStatus(daprd.barePid, "Cpus_allowed_list"),
      },
    };
    const ctx = { redis, pin, daprd, plan, rows, ours, resources };

    heading(
      `Steady state: ${rows.length} rows × ${plan.rounds} rounds in random order; closed-loop maximum, then ${plan.rates.join(" and ")} calls/s open-loop`,
    );
    result.steady = await runSteady(ctx);

    heading("Start-up: where the time to the first call goes (fresh bench drivers)");
    result.startup = { drivers: {}, apps: {} };
    for (const row of rows) {
      const s = await driverStartup(ctx, row, plan.driverStartupReps);
      result.startup.drivers[row] = s;
      say(
        "compare",
        `${row}: Node ${s.bootMs.median.toFixed(0)} ms, import ${s.importMs.median.toFixed(0)} ms, create ${s.createMs.median.toFixed(1)} ms, 1st save ${s.firstSaveMs.median.toFixed(1)} ms`,
      );
    }
    await daprd.stop();
    daprd = undefined;

    heading("Start-up and memory of the real apps");
    for (const v of opts.variants) {
      const s = await appStartup(ctx, v);
      result.startup.apps[v] = s;
      say(
        "compare",
        `${v}: first order ${s.fromAppMs.median.toFixed(0)} ms after the app's spawn; RSS ${s.appRssMB.median.toFixed(0)} MB`,
      );
    }

    if (plan.settings) {
      heading("daprd settings, each on a daprd of its own, with the HTTP ceiling client and http-app's store");
      result.settings = await runSettings(ctx);
    }

    const outageVariants = plan.outage === "all" ? opts.variants : opts.variants.slice(0, 1);
    result.outage = {
      policy: {
        retryEveryMs: policy.retryEveryMs,
        tripAfter: policy.tripAfter,
        openForMs: policy.openForMs,
        breaker: policy.breakerName,
        shortened: opts.quick,
      },
      note: `Each app runs at its default pace (an order every 500 ms). After order ${plan.ordersBefore} Redis is stopped; it is started again ${plan.afterOpenMs / 1000} s after daprd logs that ${policy.breakerName} went from closed to open (at most ${plan.capMs / 1000} s after the stop). Policy${opts.quick ? " (shortened for --quick)" : ""}: retry every ${policy.retryEveryMs / 1000} s forever, breaker opens after ${policy.tripAfter} failures in a row for ${policy.openForMs / 1000} s. Orders audited against Redis afterwards.${outageVariants.length < opts.variants.length ? ` --quick: only ${outageVariants.join(", ")}.` : ""}`,
      runs: {},
    };
    heading(`Redis outage, one app after the other${opts.quick ? " (--quick: one app, shortened policy)" : ""}`);
    for (const v of outageVariants) {
      const r = await outageVariant({ ...ctx, outage: { resources: outageResources, policy } }, v);
      result.outage.runs[v] = r;
      say(
        "compare",
        `${v}: breaker open ${r.breakerOpenS} s, next order ${r.recoveredAfterUpS} s after Redis was up; ${r.ordersSaved} saved, ${r.audit.lost} lost`,
      );
    }
  } finally {
    await daprd?.stop();
    removeCleanup();
    await redis?.stop();
    if (redis) fs.rmSync(redis.dir, { recursive: true, force: true });
    await pin.restore();
  }
  result.machine.loadAfter = os.loadavg().map((l) => +l.toFixed(2));
  result.machine.others = busy.stop();
  result.wallSeconds = (Date.now() - started) / 1000;

  writeReport(result, opts.out, opts.json);

  const bad = Object.entries(result.outage.runs).filter(([, r]) => r.audit.lost || r.audit.repeated || r.audit.skipped);
  for (const [v, r] of bad)
    say(
      "compare",
      `${v} lost ${r.audit.lost}, repeated ${r.audit.repeated}, skipped ${r.audit.skipped} orders during the outage`,
    );
  return bad.length ? 1 : 0;
}

/** compare.{md,svg,json} into `out`, the tables on the console, the JSON on stdout with --json. @param {any} result @param {string} out @param {boolean} json */
function writeReport(result, out, json) {
  fs.mkdirSync(out, { recursive: true });
  result.files = Object.fromEntries(["md", "svg", "json"].map((ext) => [ext, path.join(out, `compare.${ext}`)]));
  const t = tables(result);
  fs.writeFileSync(result.files.svg, renderSvg(result));
  fs.writeFileSync(result.files.md, markdown(result, t));
  fs.writeFileSync(result.files.json, `${JSON.stringify(result, null, 1)}\n`);
  for (const [name, table] of Object.entries(t)) {
    heading(name);
    write(`${table}\n`);
  }
  say(
    "compare",
    `wrote ${Object.values(result.files)
      .map((f) => path.relative(process.cwd(), f))
      .join(", ")}`,
  );
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
}
