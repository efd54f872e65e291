#!/usr/bin/env node
// @ts-check
// What a user sees when Redis stays down longer than the clients' own limits
// (the apps' ORDER_CALL_TIMEOUT_MS; the clients themselves, node:http, node-fetch 2
// and grpc-js, were measured to have none: docs/faults.md), per client style, measured:
// one Redis of its own, each app beside its own daprd with the project's
// policy (resources/, the seed's: retry every 5 s forever, breaker), Redis
// stopped for --outage seconds, then started again. Prints, per app, what it
// printed (seconds after Redis stopped), what daprd logged, and an audit of
// Redis. Takes --outage plus about a minute.
// (`node tools/bench/long-outage.mjs --help` lists its options.)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { defineCommand, listFlag, numberFlag } from "../cli/command.mjs";
import { runTool } from "../cli/main.mjs";
import { ToolError } from "../cli/errors.mjs";
import { ensureDaprAndApps } from "../stack/prerequisites.mjs";
import { onCleanup } from "../cli/cleanup.mjs";
import { say } from "../cli/console.mjs";
import { classify, resiliencyLines } from "../stack/daprd-log.mjs";
import { withRedisClient } from "../stack/redis.mjs";
import { ROOT, VERSIONS } from "../stack/paths.mjs";
import { STYLES, rel } from "./lib/styles.mjs";

export const command = defineCommand({
  usage: "node tools/bench/long-outage.mjs",
  about:
    "What a user sees when Redis stays down longer than the clients' own limits, per client style: one Redis of\n" +
    "its own, each app beside its own daprd with the project's policy, Redis stopped for --outage seconds, then\n" +
    "started again. Prints what each app printed and daprd logged, and an audit of Redis (--outage plus about a minute).",
  flags: {
    outage: { type: "string", value: "<seconds>", default: "330", help: "seconds Redis stays down, 1 to 86400" },
    "call-timeout-ms": {
      type: "string",
      value: "<ms>",
      default: "60000",
      help: "the apps' ORDER_CALL_TIMEOUT_MS, 1 to 86400000 (larger than the outage, e.g. 900000, shows the clients' own limits)",
    },
    variants: {
      type: "string",
      value: "<list>",
      default: Object.keys(STYLES).join(","),
      help: `the client styles, comma-separated: any of ${Object.keys(STYLES).join(",")}`,
    },
    "gc-pressure": {
      type: "boolean",
      help: "run the apps with a full GC every 200 ms (tools/e2e/fixtures/gc-pressure.mjs)",
    },
  },
});

/** @typedef {import("./lib/styles.mjs").Style} Style */
/** @typedef {import("./lib/styles.mjs").StartedApp} StartedApp */
const ORDERS_BEFORE = 3;
const ORDERS_AFTER = 3;
const AFTER_LIMIT_S = 120;

/**
 * @typedef {object} Options
 * @property {number} outageS
 * @property {number} callTimeoutMs
 * @property {string[]} variants
 * @property {boolean} gcPressure
 */

/** @param {ReturnType<typeof command.parse>["values"]} values @returns {Options} */
function options(values) {
  return {
    outageS: numberFlag(values.outage, "outage", { min: 1, max: 86_400, integer: true }),
    callTimeoutMs: numberFlag(values["call-timeout-ms"], "call-timeout-ms", { min: 1, max: 86_400_000, integer: true }),
    variants: listFlag(values.variants, "variants", { choices: Object.keys(STYLES) }),
    gcPressure: values["gc-pressure"],
  };
}

/**
 * One line per distinct message (the SDK's own timestamp aside), at its first
 * time: a breaker that stays open makes an app repeat a line every second.
 * @param {{ at: number, text: string }[]} timeline sorted by time
 */
function collapse(timeline) {
  /** @type {Map<string, { text: string, times: number[] }>} */
  const seen = new Map();
  for (const l of timeline) {
    const key = l.text.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, "");
    const entry = seen.get(key) ?? seen.set(key, { text: l.text, times: [] }).get(key);
    entry?.times.push(l.at);
  }
  return [...seen.values()].map(({ text, times }) => {
    const when = (/** @type {number[]} */ ts) => ts.map((x) => rel(x).trim()).join(", ");
    const more =
      times.length <= 1
        ? ""
        : times.length <= 6
          ? `   (x${times.length}: ${when(times)})`
          : `   (x${times.length}: ${when(times.slice(0, 2))} … ${when(times.slice(-1))})`;
    return `${rel(times[0] ?? 0)}  ${text}${more}`;
  });
}

await runTool(import.meta.url, command, async ({ values }) => {
  const opts = options(values);
  await ensureDaprAndApps();
  // After the build: the recorder reads the apps' lines with the library's parser (libs/order-model/dist).
  const stack = await import("../stack/isolated-stack.mjs");
  const { startRedis } = stack;
  const startApp = /** @type {(o: object) => Promise<StartedApp>} */ (/** @type {unknown} */ (stack.startApp));
  const { auditOrders } = await import("../stack/recorder.mjs");

  const redis = await startRedis();
  onCleanup(async () => {
    await redis.stop();
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });
  const gcEnv = opts.gcPressure
    ? {
        NODE_OPTIONS: `--expose-gc --import ${pathToFileURL(path.join(ROOT, "tools/e2e/fixtures/gc-pressure.mjs")).href}`,
      }
    : {};
  say("redis", `own Redis: ${redis.describe()}`);

  const runs = await Promise.all(
    opts.variants.map(async (name) => {
      const style = /** @type {Style} */ (STYLES[name]);
      const keyPrefix = `long-outage-${name}`; // one Redis, four apps: each its own keys, same app-id and policy
      const app = await startApp({
        redis,
        variant: style.app,
        env: { ...style.env, ...gcEnv, ORDER_CALL_TIMEOUT_MS: String(opts.callTimeoutMs) },
        resources: { metadata: { keyPrefix } },
        onEvent: (/** @type {{ source: string, stream?: string, line: string }} */ e) => {
          if (e.source === "app" && e.stream === "stderr") say(`app:${name}`, e.line);
        },
      });
      onCleanup(() => app.stop());
      return { name, style, keyPrefix, app, rec: app.recorder, from: 0, lastBefore: 0 };
    }),
  );
  for (const r of runs) {
    const e = await r.rec.waitFor((/** @type {any} */ e) => e.order?.kind === "saving" && e.order.id >= ORDERS_BEFORE, {
      timeoutMs: 30_000,
    });
    if (!e)
      throw new ToolError(
        `${r.name}: ${ORDERS_BEFORE} orders not saved within 30 s of its start.`,
        "Is daprd healthy? Run npx nx run sdk-app:dapr to see.",
      );
  }

  for (const r of runs) {
    r.from = r.rec.events.length;
    r.lastBefore = r.rec.savedOrders().at(-1) ?? 0;
  }
  const downAt = Date.now();
  await redis.stop();
  say("redis", `stopped (SIGTERM); starting it again in ${opts.outageS} s`);
  await sleep(opts.outageS * 1000);
  await redis.start(); // refuses a port someone else took meanwhile
  const upS = (Date.now() - downAt) / 1000;
  say("redis", `started again after ${upS.toFixed(1)} s`);

  await Promise.all(
    runs.map((r) =>
      r.rec.waitFor((/** @type {any} */ e) => e.order?.kind === "saving" && e.order.id >= r.lastBefore + ORDERS_AFTER, {
        timeoutMs: AFTER_LIMIT_S * 1000,
      }),
    ),
  );
  await Promise.all(runs.map((r) => r.app.sidecar.stop())); // SIGTERM, as `dapr stop` does

  const lines = resiliencyLines();
  const out = [
    `Long outage: Redis (state store) down ${upS.toFixed(1)} s; ORDER_CALL_TIMEOUT_MS=${opts.callTimeoutMs}; ` +
      `policy resources/resiliency.yaml${opts.gcPressure ? "; full GC every 200 ms in the apps" : ""}`,
    `Node ${process.version}, daprd ${VERSIONS.daprRuntime}, @dapr/dapr ${VERSIONS.daprJsSdk}, ` +
      `${new Date().toISOString().slice(0, 16)}Z. Times: seconds after Redis stopped.`,
  ];
  const table = ["| app | first line after Redis stopped | next order saved | audit |", "| --- | --- | --- | --- |"];
  let failed = 0;
  for (const r of runs) {
    /** @param {{ at: number }} e */
    const t = (e) => e.at - (downAt - r.rec.t0) / 1000;
    /** @type {any[]} */
    const during = r.rec.events.slice(r.from);
    const before = r.rec.events.slice(0, r.from).findLast((/** @type {any} */ e) => e.order?.kind === "saving");
    const appLines = during.filter((e) => e.source === "app" && e.stream === "stderr");
    const firstSaved = during.find((e) => e.order?.kind === "saving");
    const seen = during.map((e) => ({ at: t(e), c: classify(e, lines) }));
    const retries = seen.filter((d) => d.c?.kind === "retry");
    const opens = seen.filter((d) => d.c?.kind === "transition" && d.c.to === "open");
    const recovered = seen.flatMap((d) => (d.c?.kind === "recovered" ? [{ at: d.at, attempts: d.c.attempts }] : []));
    const saved = r.rec.savedOrders();
    const audit = await withRedisClient(redis, (c) => auditOrders(saved, c, r.keyPrefix));
    const exit = await r.app.sidecar.appExited;
    const clean = audit.lost === 0 && !audit.repeated.length && !audit.skipped.length && firstSaved !== undefined;
    if (!clean) failed++;

    /** @type {{ at: number, text: string }[]} */
    const timeline = [
      { at: 0, text: "-- Redis stopped" },
      { at: upS, text: "-- Redis started" },
      ...appLines.map((e) => ({ at: t(e), text: e.line })),
    ];
    if (before) timeline.push({ at: t(before), text: `${before.line}   (last order before the outage)` });
    if (firstSaved) timeline.push({ at: t(firstSaved), text: `${firstSaved.line}   (first order saved after)` });
    timeline.sort((a, b) => a.at - b.at);
    out.push("", r.style.label, ...collapse(timeline));
    if (!firstSaved) out.push(`         no order saved within ${AFTER_LIMIT_S} s of Redis coming back`);
    const rec = recovered.map((d) => `recovered at ${rel(d.at).trim()} s after ${d.attempts ?? "?"} attempts`);
    out.push(
      `  daprd: ${retries.length} failed operations retried (first at ${retries[0] ? rel(retries[0].at).trim() : "-"} s), ` +
        `breaker opened ${opens.length}x, ${rec.join(", ") || "no recovery logged"}`,
      `  audit: ${audit.saved} saved (ids ${audit.first}..${audit.last}), lost ${audit.lost}, ` +
        `repeated ${audit.repeated.length}, skipped ${audit.skipped.length}; app exit ${exit.code ?? exit.signal}`,
    );
    const first = appLines.find((e) => !/received|stopped; last order/.test(e.line));
    table.push(
      `| ${r.style.label} | ${first ? `${rel(t(first)).trim()} s: \`${first.line}\`` : "none"} | ` +
        `${firstSaved ? `${rel(t(firstSaved)).trim()} s (order ${firstSaved.order.id}; last before: ${r.lastBefore})` : "none"} | ` +
        `${saved.length} saved; lost ${audit.lost}, repeated ${audit.repeated.length}, skipped ${audit.skipped.length} |`,
    );
  }
  process.stdout.write(`\n${out.join("\n")}\n\n${table.join("\n")}\n`);
  return failed ? 1 : 0;
});
