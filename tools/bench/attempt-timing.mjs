// @ts-check
// How long one failed state call takes inside daprd while Redis is down, and
// so when the circuit breaker opens. Runs the http-app beside a real daprd on
// a Redis of its own, stops that Redis (SIGTERM: connections are refused),
// and times daprd's first retry warning, each breaker transition, and the
// go-redis "failed to dial" lines daprd prints on stderr in between (one per
// pool dial that gave up: the client's own work inside each daprd attempt).
// (`node tools/bench/attempt-timing.mjs --help` lists its options; --set
// changes a per-run copy of resources/, never resources/statestore.yaml.)
import fs from "node:fs";
import os from "node:os";
import { defineCommand, numberFlag } from "../cli/command.mjs";
import { runTool } from "../cli/main.mjs";
import { ToolError } from "../cli/errors.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import { say, heading, sendHumanOutputTo } from "../cli/console.mjs";
import { startRedis, startApp } from "../stack/isolated-stack.mjs";
import { checkResources } from "../stack/resources.mjs";
import { resiliencyLines, classify } from "../stack/daprd-log.mjs";
import { ensureDaprAndApps } from "../stack/prerequisites.mjs";
import { VARIANTS } from "../stack/paths.mjs";
import { spread, round3 } from "./lib/stats.mjs";

// The state.redis metadata items that shape a failing call (docs.dapr.io, setup-redis).
const TIMING_METADATA = [
  "redisMaxRetries",
  "redisMinRetryInterval",
  "redisMaxRetryInterval",
  "maxRetries",
  "maxRetryBackoff",
  "dialTimeout",
  "readTimeout",
  "writeTimeout",
  "poolSize",
  "poolTimeout",
  "minIdleConns",
  "idleTimeout",
  "idleCheckFrequency",
  "maxConnAge",
];

export const command = defineCommand({
  usage: "node tools/bench/attempt-timing.mjs",
  about:
    "How long one failed state call takes inside daprd while Redis is down, and so when the circuit breaker\n" +
    "opens: the http-app beside a real daprd on a Redis of its own, that Redis stopped, daprd's retry warning,\n" +
    'each breaker transition and go-redis\'s "failed to dial" lines timed.',
  flags: {
    runs: { type: "string", value: "<n>", default: "3", help: "outages to time, 1 to 20; the summary is their median" },
    set: {
      type: "string",
      value: "<name=value>",
      multiple: true,
      help: "a state.redis metadata override in a per-run copy of resources/, e.g. redisMaxRetries=-1",
    },
    json: { type: "boolean", help: "print the result as JSON on stdout (progress goes to stderr)" },
  },
  notes: `--set takes: ${TIMING_METADATA.join(", ")}.`,
});

// go-redis v9 (internal/pool/pool.go, dialConn) logs this to stderr when one
// pool dial gives up after its DialerRetries.
const DIAL_FAILED = /connection pool: failed to dial after (\d+) attempts/;

/**
 * @typedef {object} Options
 * @property {number} runs
 * @property {Record<string, string>} metadata
 * @property {boolean} json
 */

/**
 * @typedef {object} RunResult
 * @property {number} firstFailureS  Redis stopped -> daprd's retry warning (the first failed attempt)
 * @property {number} openS          first failure -> closed→open
 * @property {number} attemptS       one failed attempt before the breaker opened: (openS / (trip - 1)) - retry wait
 * @property {number} halfOpenS      closed→open -> open→half-open
 * @property {number} trialS         open→half-open -> half-open→open: the trial attempt, measured directly
 * @property {number} dialFailuresBeforeOpen go-redis pool dials that gave up, Redis stopped -> breaker open
 * @property {number} dialFailuresInTrial    the same during the trial attempt
 */

/** @param {ReturnType<typeof command.parse>["values"]} values @returns {Options} */
function options(values) {
  /** @type {Record<string, string>} */
  const metadata = {};
  for (const item of values.set) {
    const eq = item.indexOf("=");
    const name = item.slice(0, eq);
    if (eq < 1 || eq === item.length - 1)
      throw command.fail(`--set ${item}: expected name=value, e.g. --set redisMaxRetries=-1`);
    if (!TIMING_METADATA.includes(name))
      throw command.fail(
        `--set ${item}: "${name}" is not one of the state.redis settings this bench varies`,
        `Use one of: ${TIMING_METADATA.join(", ")}`,
      );
    metadata[name] = item.slice(eq + 1);
  }
  return { runs: numberFlag(values.runs, "runs", { min: 1, max: 20, integer: true }), metadata, json: values.json };
}

// isolated-stack.mjs is not type-checked, so TypeScript infers startApp's
// options from their defaults alone; name the options it really takes.
const startAppTyped = /** @type {(o: Record<string, unknown>) => ReturnType<typeof startApp>} */ (startApp);

/**
 * One outage: start everything, stop Redis, time the lines, stop everything.
 * @param {Record<string, string>} metadata
 * @param {string} label
 * @returns {Promise<RunResult>}
 */
async function timeOneOutage(metadata, label) {
  const redis = await startRedis();
  const removeRedis = onCleanup(async () => {
    await redis.stop("SIGKILL");
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  try {
    const app = await startAppTyped({
      redis,
      // The http-app, an order every 100 ms; its call timeout outlasts the measurement.
      command: [process.execPath, VARIANTS.http.main, "--interval-ms", "100", "--call-timeout-ms", "600000"],
      resources: { metadata },
    });
    try {
      const policy = checkResources(app.resourcesDir).policy;
      if (!policy?.retryEveryMs || !policy.tripAfter || !policy.breakerName)
        throw new ToolError("resources/resiliency.yaml gives the state store no retry and circuit breaker policy.");
      const lines = resiliencyLines("statestore", policy.breakerName);
      const rec = app.recorder;
      const saved = await rec.waitFor(() => rec.savedOrders().length >= 3, { timeoutMs: 30_000 });
      if (!saved) throw new ToolError("The app saved no orders within 30 s; see daprd's log above.");
      const from = rec.events.length;
      const stoppedAt = rec.now();
      await redis.stop("SIGTERM");
      say("bench", `${label}: Redis stopped (SIGTERM) after order ${rec.savedOrders().at(-1)}`);

      /** @param {(c: ReturnType<typeof classify>) => boolean} want */
      const next = async (want, after = from) => {
        const e = await rec.waitFor(
          (/** @type {import("../stack/recorder.mjs").RecordedEvent} */ ev) =>
            rec.events.indexOf(ev) >= after && want(classify(ev, lines)),
          {
            timeoutMs: 120_000,
            from: after,
          },
        );
        if (!e) throw new ToolError("daprd did not print the expected resiliency line within 120 s.");
        return { at: /** @type {number} */ (e.at), index: rec.events.indexOf(e) };
      };
      /** @param {string} fromState @param {string} to */
      const transition = (fromState, to) => (/** @type {ReturnType<typeof classify>} */ c) =>
        c?.kind === "transition" && c.from === fromState && c.to === to;
      const retry = await next((c) => c?.kind === "retry");
      const open = await next(transition("closed", "open"), retry.index);
      const halfOpen = await next(transition("open", "half-open"), open.index);
      const reopen = await next(transition("half-open", "open"), halfOpen.index);

      const dials = (/** @type {number} */ a, /** @type {number} */ b) =>
        rec.events.slice(a, b).filter((e) => e.source === "daprd" && DIAL_FAILED.test(e.line ?? "")).length;
      const openS = open.at - retry.at;
      /** @type {RunResult} */
      const r = {
        firstFailureS: round3(retry.at - stoppedAt),
        openS: round3(openS),
        attemptS: round3(openS / (policy.tripAfter - 1) - policy.retryEveryMs / 1000),
        halfOpenS: round3(halfOpen.at - open.at),
        trialS: round3(reopen.at - halfOpen.at),
        dialFailuresBeforeOpen: dials(from, open.index),
        dialFailuresInTrial: dials(halfOpen.index, reopen.index + 1),
      };
      say(
        "bench",
        `${label}: first failure ${r.firstFailureS} s after Redis stopped; breaker open ${r.openS} s after it ` +
          `(each attempt ${r.attemptS} s + the ${policy.retryEveryMs / 1000} s wait); ` +
          `half-open ${r.halfOpenS} s later; trial attempt ${r.trialS} s; ` +
          `go-redis dial failures: ${r.dialFailuresBeforeOpen} before the breaker opened, ${r.dialFailuresInTrial} in the trial`,
      );
      return r;
    } finally {
      await app.stop();
    }
  } finally {
    removeRedis();
    await redis.stop("SIGKILL");
    fs.rmSync(redis.dir, { recursive: true, force: true });
  }
}

/** @param {Options} opts */
async function run(opts) {
  if (opts.json) sendHumanOutputTo(process.stderr);
  await ensureDaprAndApps();
  const settings = Object.entries(opts.metadata).map(([k, v]) => `${k}=${v}`);
  const label = settings.length ? settings.join(" ") : "default statestore settings";
  heading(`Failed-attempt timing, ${label}: ${opts.runs} outage(s)`);
  /** @type {RunResult[]} */
  const runs = [];
  for (let i = 1; i <= opts.runs; i++) runs.push(await timeOneOutage(opts.metadata, `run ${i}/${opts.runs}`));
  const keys = /** @type {(keyof RunResult)[]} */ (Object.keys(runs[0] ?? {}));
  const summary = Object.fromEntries(keys.map((k) => [k, spread(runs.map((r) => r[k]))]));
  const result = {
    settings: opts.metadata,
    cpus: os.availableParallelism(),
    gomaxprocs: process.env.GOMAXPROCS,
    runs,
    median: summary,
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    heading(`Median of ${opts.runs} (min–max), ${label}, ${result.cpus} CPUs`);
    for (const [k, s] of Object.entries(summary)) say("bench", `${k.padEnd(24)} ${s.median} (${s.min}–${s.max})`);
  }
}

await runTool(import.meta.url, command, async ({ values }) => run(options(values)));
