#!/usr/bin/env node
// @ts-check
// What becomes of a call the order loop gives up on (ORDER_CALL_TIMEOUT_MS),
// measured: one app beside its own daprd with the project's policy, a Redis
// of its own watched with MONITOR, Redis stopped (or hung with SIGSTOP) for a
// while right after a read, so the next save waits. Prints what the app and
// daprd said and every write of an order key, in seconds after the fault, and
// counts the writes of the order that waited.
// (`node tools/bench/abandoned-call.mjs --help` lists its options.)
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { defineCommand, numberFlag } from "../cli/command.mjs";
import { runTool } from "../cli/main.mjs";
import { ToolError } from "../cli/errors.mjs";
import { ensureDaprAndApps } from "../stack/prerequisites.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import { classify, resiliencyLines } from "../stack/daprd-log.mjs";
import { STYLES, rel } from "./lib/styles.mjs";

/** @typedef {import("./lib/styles.mjs").StartedApp} StartedApp */
/** @typedef {import("../stack/recorder.mjs").RecordedEvent} Event */

export const command = defineCommand({
  usage: "node tools/bench/abandoned-call.mjs",
  about:
    "What becomes of a call the order loop gives up on (ORDER_CALL_TIMEOUT_MS): one app beside its own daprd, a\n" +
    "Redis of its own watched with MONITOR, stopped or frozen right after a read; prints what the app and daprd\n" +
    "said and every write of an order key, in seconds after the fault.",
  flags: {
    variant: { type: "string", choices: Object.keys(STYLES), default: "sdk", help: "the client style" },
    fault: {
      type: "string",
      choices: ["stop", "hang"],
      default: "stop",
      help: "stop: Redis stopped (SIGTERM); hang: Redis frozen with SIGSTOP, sockets open",
    },
    outage: { type: "string", value: "<seconds>", default: "12", help: "seconds before Redis is back, 1 to 3600" },
    "call-timeout-ms": {
      type: "string",
      value: "<ms>",
      default: "2000",
      help: "the app's ORDER_CALL_TIMEOUT_MS, 1 to 3600000",
    },
  },
});

/** @param {ReturnType<typeof command.parse>["values"]} values */
function options(values) {
  const style = /** @type {import("./lib/styles.mjs").Style} */ (STYLES[values.variant]);
  return {
    name: values.variant,
    style,
    fault: values.fault,
    outageS: numberFlag(values.outage, "outage", { min: 1, max: 3600, integer: true }),
    callTimeoutMs: numberFlag(values["call-timeout-ms"], "call-timeout-ms", { min: 1, max: 3_600_000, integer: true }),
  };
}

await runTool(import.meta.url, command, async ({ values }) => {
  const opts = options(values);
  await ensureDaprAndApps();
  // After the build: the recorder reads the apps' lines with the library's parser (libs/order-model/dist).
  const stack = await import("../stack/isolated-stack.mjs");
  const startApp = /** @type {(o: object) => Promise<StartedApp>} */ (/** @type {unknown} */ (stack.startApp));
  const redis = await stack.startRedis();
  onCleanup(async () => {
    if (redis.pid() !== undefined) redis.resume(); // a frozen Redis ignores SIGTERM
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });

  // MONITOR: every command Redis runs, as it runs it (again after a restart).
  /** @type {{ at: number, key: string }[]} */
  const writes = [];
  const monitor = async () => {
    const client = await redis.client();
    onCleanup(() => client.disconnect().catch(() => undefined));
    await client.monitor((/** @type {string} */ line) => {
      const m = /"HSET" "([^"]+)" "data"/.exec(line);
      if (m?.[1]) writes.push({ at: Date.now(), key: m[1] });
    });
  };
  await monitor();

  const app = await startApp({
    redis,
    variant: opts.style.app,
    env: { ...opts.style.env, ORDER_CALL_TIMEOUT_MS: String(opts.callTimeoutMs) },
    resources: {}, // resources/ as they are: retry every 5 s forever, breaker
  });
  onCleanup(() => app.stop());
  const rec = app.recorder;
  // Right after a read: the next call is the save of a new order.
  const read = await rec.waitFor((/** @type {Event} */ e) => e.order?.kind === "getting" && e.order.id >= 3, {
    timeoutMs: 30_000,
  });
  if (!read) throw new ToolError("The app did not read back 3 orders within 30 s.", "Is daprd healthy?");
  const waiting = (read.order?.id ?? 0) + 1;
  const from = rec.events.length;
  const t0 = Date.now();
  if (opts.fault === "hang") redis.pause();
  else await redis.stop();
  await sleep(opts.outageS * 1000);
  const upS = (Date.now() - t0) / 1000;
  if (opts.fault === "hang") redis.resume();
  else {
    await redis.start();
    await monitor();
  }
  await rec.waitFor((/** @type {Event} */ e) => e.order?.kind === "saving" && e.order.id >= waiting + 3, {
    timeoutMs: 60_000,
  });
  await sleep(6_000); // a late write of the waiting order, if any, has time to land
  await app.sidecar.stop();

  const toS = (/** @type {number} */ ms) => (ms - t0) / 1000;
  const lines = resiliencyLines();
  /** @type {{ at: number, text: string }[]} */
  const timeline = [
    { at: 0, text: `-- Redis ${opts.fault === "hang" ? "frozen (SIGSTOP)" : "stopped"}` },
    { at: upS, text: "-- Redis back" },
  ];
  for (const e of /** @type {Event[]} */ (rec.events.slice(from))) {
    const at = toS(rec.t0 + e.at * 1000);
    const resiliency = classify(e, lines);
    const canceled = e.source === "daprd" && /context canceled/.test(e.msg ?? "") && /state store/.test(e.msg ?? "");
    if (e.source === "app" || resiliency || canceled) timeline.push({ at, text: `${e.source}: ${e.msg ?? e.line}` });
  }
  const key = (/** @type {number} */ id) => `order-processor||${id}`;
  for (const w of writes.filter((w) => w.at >= t0)) timeline.push({ at: toS(w.at), text: `redis: HSET ${w.key}` });
  timeline.sort((a, b) => a.at - b.at);
  const saved = timeline.find((l) => l.text.startsWith(`app: Saving Order:  { orderId: '${waiting}' }`));
  const nextWrite = writes.find((w) => w.key === key(waiting + 1));
  const ofWaiting = writes.filter((w) => w.key === key(waiting));
  const afterNext = nextWrite ? ofWaiting.filter((w) => w.at > nextWrite.at).length : 0;
  const gaveUp = timeline.filter((l) => /no answer within/.test(l.text)).length;

  const out = [
    `${opts.style.label}: Redis ${opts.fault === "hang" ? "frozen" : "stopped"} ${upS.toFixed(1)} s; ORDER_CALL_TIMEOUT_MS=${opts.callTimeoutMs}; policy resources/resiliency.yaml`,
    // Up to the next order; later, only writes of the order that waited.
    ...timeline
      .filter((l) => !saved || l.at <= saved.at + 0.6 || l.text === `redis: HSET ${key(waiting)}`)
      .map((l) => `${rel(l.at)}  ${l.text.length > 200 ? `${l.text.slice(0, 200)}…` : l.text}`),
    "",
    `Order ${waiting} waited: the app gave up on ${gaveUp} call(s) and printed Saving Order ${waiting} at ${saved ? rel(saved.at).trim() : "-"} s.`,
    `Redis wrote order ${waiting} ${ofWaiting.length} time(s): at ${ofWaiting.map((w) => `${rel(toS(w.at)).trim()} s`).join(", ") || "-"}; ` +
      `${afterNext} of them after the first write of order ${waiting + 1}.`,
  ];
  process.stdout.write(`\n${out.join("\n")}\n`);
  return 0;
});
