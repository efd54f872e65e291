// @ts-check
// Client CPU per state call, for each way a Node app can talk to daprd's state
// API: a real daprd with a Redis of its own, one worker process per client
// (tools/bench/lib/client-worker.mjs), each warmed up by call count, then rounds of
// N sequential save + get pairs with the clients taking turns in a rotating
// order. Reported per state call (a save or a get): the client process's CPU
// (process.cpuUsage, user + sys) and the wall time, median over the rounds
// with min..max. daprd's and Redis's CPU are not the client's and not counted.
// (`node tools/bench/clients.mjs --help` lists its options.)
import fs from "node:fs";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { defineCommand, listFlag, numberFlag } from "../cli/command.mjs";
import { runTool } from "../cli/main.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import { ensureBuilt } from "../stack/prerequisites.mjs";
import { startApp, startRedis } from "../stack/isolated-stack.mjs";
import { endProcess } from "../stack/sidecar.mjs";
import { CLIENTS } from "./lib/client-worker.mjs";
import { spread, round3 } from "./lib/stats.mjs";

/** @typedef {import("./lib/client-worker.mjs").ClientName} ClientName */
/** @typedef {import("./lib/client-worker.mjs").StartCost} StartCost */
/** @typedef {{cpuUserUs: number, cpuSystemUs: number, wallMs: number}} RoundResult */
/** @typedef {{median: number, min: number, max: number}} Spread */
/** The part of startSidecar's handle used here (its JSDoc does not describe the handle). */
/** @typedef {{ports: {http: number, grpc: number}, stop: () => Promise<void>}} Sidecar */
/**
 * @typedef {object} ClientResult
 * @property {ClientName} client
 * @property {string} what
 * @property {Spread} cpuUsPerCall user + sys of the client process, µs per state call
 * @property {Spread} userUsPerCall
 * @property {Spread} sysUsPerCall
 * @property {Spread} wallUsPerCall
 * @property {StartCost} start
 * @property {import("./lib/profile.mjs").ProfileSummary} profile  of one more round, under V8's profiler
 */

export const command = defineCommand({
  usage: "node tools/bench/clients.mjs",
  about:
    "Client CPU per state call, for each way a Node app can talk to daprd's state API: a real daprd with a Redis\n" +
    "of its own, one worker process per client, warmed up, then rounds of sequential save + get pairs with the\n" +
    "clients taking turns. Reports the client process's CPU and the wall time per call (median, min..max).",
  flags: {
    rounds: { type: "string", value: "<n>", default: "7", help: "rounds per client, 1 to 1000" },
    pairs: { type: "string", value: "<n>", default: "300", help: "save + get pairs per round, 1 to 1000000" },
    warmup: { type: "string", value: "<n>", default: "300", help: "warm-up pairs per client, 1 to 1000000" },
    clients: {
      type: "string",
      value: "<list>",
      default: Object.keys(CLIENTS).join(","),
      help: "which clients, comma-separated (listed below)",
    },
    json: { type: "boolean", help: "print the results as JSON on stdout" },
  },
  notes: `Clients:\n${Object.entries(CLIENTS)
    .map(([name, what]) => `  ${name.padEnd(10)} ${what}`)
    .join("\n")}`,
});
const WORKER = fileURLToPath(new URL("./lib/client-worker.mjs", import.meta.url));

/** @param {ReturnType<typeof command.parse>["values"]} v */
function options(v) {
  /** @param {"rounds" | "pairs" | "warmup"} key  @param {number} max */
  const count = (key, max) => numberFlag(v[key], key, { min: 1, max, integer: true });
  return {
    rounds: count("rounds", 1000),
    pairs: count("pairs", 1_000_000),
    warmup: count("warmup", 1_000_000),
    clients: listFlag(v.clients, "clients", { choices: /** @type {ClientName[]} */ (Object.keys(CLIENTS)) }),
    json: v.json,
  };
}

/** A forked worker and a way to ask it for one message. */
function startWorker(
  /** @type {ClientName} */ name,
  /** @type {number} */ warmup,
  /** @type {Record<string,string>} */ env,
) {
  const child = fork(WORKER, [name, String(warmup)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const removeCleanup = onCleanup(() => endProcess(child, 2_000));
  /** @type {(msg?: object) => Promise<any>} */
  const next = (msg) =>
    new Promise((resolve, reject) => {
      const onExit = (/** @type {number|null} */ code) => reject(new Error(`the ${name} worker exited (code ${code})`));
      child.once("exit", onExit);
      child.once("message", (/** @type {{type: string, message?: string}} */ reply) => {
        child.off("exit", onExit);
        if (reply.type === "error") reject(new Error(`${name}: ${reply.message}`));
        else resolve(reply);
      });
      if (msg) child.send(msg);
    });
  return {
    name,
    next,
    async stop() {
      child.send({ type: "stop" });
      await Promise.race([new Promise((r) => child.once("exit", r)), new Promise((r) => setTimeout(r, 3_000))]);
      await endProcess(child, 1_000);
      removeCleanup();
    },
  };
}

/** @param {ClientResult[]} results  @param {{rounds: number, pairs: number, warmup: number}} o */
function markdown(results, o) {
  const f = (/** @type {Spread} */ s, digits = 0) =>
    `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const lines = [
    `Client CPU per state call (a save or a get), median of ${o.rounds} rounds of ${o.pairs} sequential save + get pairs (min–max), after ${o.warmup} warm-up pairs; real daprd ${"+"} its own Redis on loopback, Node ${process.version}.`,
    "",
    "| client | CPU µs/call (user+sys) | user µs | sys µs | wall µs/call |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.client}: ${r.what} | ${f(r.cpuUsPerCall)} | ${f(r.userUsPerCall)} | ${f(r.sysUsPerCall)} | ${f(r.wallUsPerCall)} |`,
    ),
    "",
    "Start cost, in each worker's fresh process:",
    "",
    "| client | import + create ms | first save+get ms | RSS after warm-up MB | CommonJS files | built-ins |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...results.map(
      ({ client, start: s }) =>
        `| ${client} | ${s.importMs.toFixed(0)} | ${s.firstPairMs.toFixed(0)} | ${s.rssMB.toFixed(0)} | ${s.cjsModules} | ${s.builtins} |`,
    ),
    "",
    `Where the main thread's time goes, from one more round each under V8's CPU profiler: share of its busy (not idle) samples, by origin and by the costliest files.`,
    "",
    "| client | by origin | costliest files |",
    "| --- | --- | --- |",
    ...results.map(({ client, profile: p }) => {
      const share = (/** @type {number} */ ms) => `${((ms / p.busyMs) * 100).toFixed(1)} %`;
      const origins = Object.entries(p.origins)
        .filter(([o, ms]) => o !== "idle" && ms > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([o, ms]) => `${o} ${share(ms)}`);
      const files = Object.entries(p.files)
        .slice(0, 6)
        .map(([f, ms]) => `\`${f}\` ${share(ms)}`);
      return `| ${client} | ${origins.join(", ")} | ${files.join(", ")} |`;
    }),
  ];
  return lines.join("\n");
}

await runTool(import.meta.url, command, async ({ values }) => {
  const o = options(values);
  const log = (/** @type {string} */ s) => process.stderr.write(`${s}\n`);
  await ensureBuilt();

  const redis = await startRedis();
  onCleanup(async () => {
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  // daprd needs an app beside it; the clients run in the workers, so this one only idles.
  // (isolated-stack.mjs has no JSDoc types, hence the casts.)
  const idle = [process.execPath, "-e", "setInterval(() => {}, 1 << 30)"];
  const stack = await startApp(
    /** @type {Parameters<typeof startApp>[0]} */ (/** @type {unknown} */ ({ redis, command: idle, logLevel: "warn" })),
  );
  onCleanup(() => stack.stop());
  const sidecar = /** @type {Sidecar} */ (/** @type {unknown} */ (stack.sidecar));
  const env = {
    DAPR_HOST: "127.0.0.1",
    DAPR_HTTP_PORT: String(sidecar.ports.http),
    DAPR_GRPC_PORT: String(sidecar.ports.grpc),
  };
  log(`daprd ready (HTTP ${sidecar.ports.http}, gRPC ${sidecar.ports.grpc}), Redis on ${redis.port}`);

  // Start and warm up one worker at a time, so they do not compete for the CPU.
  /** @type {Map<ClientName, {worker: ReturnType<typeof startWorker>, start: StartCost, rounds: RoundResult[]}>} */
  const runs = new Map();
  for (const name of o.clients) {
    const worker = startWorker(name, o.warmup, env);
    const { start } = await worker.next();
    runs.set(name, { worker, start, rounds: [] });
    log(`${name}: warmed up (${o.warmup} pairs)`);
  }
  for (let round = 0; round < o.rounds; round++) {
    // Rotate who goes first, so a slow phase of the machine is shared out.
    const order = o.clients.map((_, i) => o.clients[(i + round) % o.clients.length]);
    for (const name of order) {
      const run = /** @type {NonNullable<ReturnType<typeof runs.get>>} */ (runs.get(/** @type {ClientName} */ (name)));
      run.rounds.push(await run.worker.next({ type: "round", round, pairs: o.pairs }));
    }
    log(`round ${round + 1}/${o.rounds} done`);
  }
  // One profiled round each, after the measured ones (the profiler's cost stays out of them).
  /** @type {Map<ClientName, import("./lib/profile.mjs").ProfileSummary>} */
  const profiles = new Map();
  for (const [name, run] of runs)
    profiles.set(name, (await run.worker.next({ type: "profile", pairs: o.pairs })).profile);
  for (const run of runs.values()) await run.worker.stop();

  const calls = 2 * o.pairs;
  /** @type {ClientResult[]} */
  const results = [...runs].map(([client, run]) => {
    const per = (/** @type {(r: RoundResult) => number} */ pick) => spread(run.rounds.map((r) => pick(r) / calls));
    return {
      client,
      what: CLIENTS[client],
      cpuUsPerCall: per((r) => r.cpuUserUs + r.cpuSystemUs),
      userUsPerCall: per((r) => r.cpuUserUs),
      sysUsPerCall: per((r) => r.cpuSystemUs),
      wallUsPerCall: per((r) => r.wallMs * 1000),
      start: /** @type {StartCost} */ (Object.fromEntries(Object.entries(run.start).map(([k, v]) => [k, round3(v)]))),
      profile: /** @type {import("./lib/profile.mjs").ProfileSummary} */ (profiles.get(client)),
    };
  });
  if (o.json) {
    const meta = { node: process.version, rounds: o.rounds, pairs: o.pairs, warmup: o.warmup };
    process.stdout.write(`${JSON.stringify({ ...meta, results }, null, 2)}\n`);
  } else process.stdout.write(`${markdown(results, o)}\n`);
});
