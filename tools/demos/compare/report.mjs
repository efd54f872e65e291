// @ts-check
// The report: tables from a run's result, the targets checked (reported, never
// asserted), and the Markdown page around them.
import { ROW_LABELS } from "./steady.mjs";

/** @typedef {import("../../bench/lib/stats.mjs").Spread} Spread */
/** @typedef {{target: string, measured: string, met: boolean | undefined}} Target */

/** A Markdown table; numbers are already formatted by the caller. @param {string[]} header @param {string[][]} rows */
export function mdTable(header, rows) {
  const line = (/** @type {string[]} */ cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const fin = (/** @type {number | undefined} */ x) => x !== undefined && Number.isFinite(x);
/** ms with sensible digits. @param {number | undefined} x */
export const ms = (x) =>
  x === undefined || !Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const n0 = (/** @type {number | undefined} */ x) => (!fin(x) ? "–" : /** @type {number} */ (x).toFixed(0));
const pct = (/** @type {number | undefined} */ x) =>
  x === undefined || !Number.isFinite(x) ? "–" : `${(x * 100).toFixed(0)} %`;
const sign = (/** @type {number} */ x) => (!fin(x) ? "–" : `${x >= 0 ? "+" : ""}${ms(x)}`);
/** median (min–max) @param {Spread | undefined} sp */
const rng = (sp, f = ms) => (sp ? `${f(sp.median)} (${f(sp.min)}–${f(sp.max)})` : "–");
const s1 = (/** @type {number | undefined} */ x) => (!fin(x) ? "–" : `${/** @type {number} */ (x).toFixed(1)} s`);
export const label = (/** @type {string} */ r) => ROW_LABELS[r] ?? r;

/** The derived numbers the tables and targets share. @param {any} result */
export function derive(result) {
  const rows = result.steady.rows;
  const top = `open${Math.max(...result.plan.rates)}`;
  const base = rows.redis?.open[top];
  const ceil = rows.ceiling;
  const bare = result.steady.bareRssMB.median;
  /** @type {Record<string, any>} */
  const d = {};
  for (const [r, s] of Object.entries(rows)) {
    /** @type {Record<string, any>} */
    const added = {};
    for (const [phase, o] of Object.entries(/** @type {Record<string, any>} */ (s.open))) {
      const b = rows.redis?.open[phase];
      added[phase] = {
        save: o.save.p50.median - (b?.save.p50.median ?? NaN),
        get: o.get.p50.median - (b?.get.p50.median ?? NaN),
      };
    }
    d[r] = {
      added,
      ofCeiling: s.max.callsPerSec.median / (ceil?.max.callsPerSec.median ?? NaN),
      rssAboveBare: s.rssMB.median - bare,
      clientUsAtTop: s.open[top]?.cpuUsPerCall.client.median,
    };
  }
  return { top, base, d };
}

/** The targets of issue 10, each with what this run measured. Never asserted. @param {any} result @returns {Target[]} */
export function targets(result) {
  const { top, d } = derive(result);
  const rate = top.slice(4);
  const rows = Object.keys(result.steady.rows).filter((r) => r !== "redis" && r !== "ceiling");
  /** @type {Target[]} */
  const out = [];
  const ceilAdded = d.ceiling?.added[top];
  for (const r of rows) {
    const a = d[r].added[top];
    const worst = Math.max(a.save, a.get);
    const achieved = result.steady.rows[r].open[top]?.achievedPerSec.median;
    const behind = achieved < 0.95 * Number(rate) ? `; kept up only ${n0(achieved)}/s of ${rate}/s` : "";
    out.push({
      target: `${label(r)}: adds ≤ 0.5 ms p50 over Redis direct at ${rate}/s`,
      measured: `save ${sign(a.save)} ms, get ${sign(a.get)} ms${behind}`,
      met: fin(worst) ? worst <= 0.5 : undefined,
    });
    // The ceiling's own addition can come out at or below zero in noise: then the limit is zero, not a negative ratio.
    const over = Math.max(a.save - 1.25 * Math.max(0, ceilAdded.save), a.get - 1.25 * Math.max(0, ceilAdded.get));
    const ratio = Math.max(a.save / ceilAdded.save, a.get / ceilAdded.get);
    out.push({
      target: `${label(r)}: adds ≤ 1.25× what the ceiling client adds`,
      measured: `${ceilAdded.save > 0 && ceilAdded.get > 0 && fin(ratio) ? `${ratio.toFixed(2)}×` : `${sign(over)} ms over the limit`} (ceiling adds save ${sign(ceilAdded.save)}, get ${sign(ceilAdded.get)} ms)`,
      met: fin(over) ? over <= 0 : undefined,
    });
    const s = result.steady.rows[r];
    out.push({
      target: `${label(r)}: closed-loop max ≥ 90 % of the ceiling`,
      measured: `${pct(d[r].ofCeiling)}; ${s.max.bound}`,
      met: fin(d[r].ofCeiling) ? d[r].ofCeiling >= 0.9 : undefined,
    });
  }
  for (const [plain, sdk] of /** @type {[string, string][]} */ ([
    ["http", "sdk-http"],
    ["grpc", "sdk-grpc"],
  ])) {
    if (!d[plain] || !d[sdk]) continue;
    const a = d[plain].clientUsAtTop;
    const b = d[sdk].clientUsAtTop;
    out.push({
      target: `${label(plain)} costs less client CPU per call than ${label(sdk)} (at ${rate}/s)`,
      measured: `${n0(a)} vs ${n0(b)} µs`,
      met: fin(a) && fin(b) ? a < b : undefined,
    });
  }
  for (const v of ["http", "grpc"]) {
    const app = result.startup.apps[v];
    if (!app) continue;
    out.push({
      target: `${v}-app: first order ≤ 250 ms after start`,
      measured: `${ms(app.fromAppMs.median)} ms`,
      met: app.fromAppMs.median <= 250,
    });
    const above = app.appRssMB.median - result.steady.bareRssMB.median;
    out.push({
      target: `${v}-app: RSS ≤ bare Node + 25 MB`,
      measured: `${sign(above)} MB (app ${n0(app.appRssMB.median)}, bare ${n0(result.steady.bareRssMB.median)} MB)`,
      met: above <= 25,
    });
  }
  return out;
}

/** @param {any} result @returns {Record<string, string>} */
export function tables(result) {
  const rows = Object.entries(/** @type {Record<string, any>} */ (result.steady.rows));
  const { top, d } = derive(result);
  const rate = top.slice(4);
  /** @type {Record<string, string>} */
  const out = {};
  out.headline = mdTable(
    [
      "client",
      "max calls/s (range)",
      "of ceiling",
      `p50 at ${rate}/s, save / get ms (added over Redis direct)`,
      `client CPU µs/call at ${rate}/s`,
      "driver RSS above bare Node",
      "what stops it at its max",
    ],
    rows.map(([r, s]) => [
      label(r),
      rng(s.max.callsPerSec, n0),
      r === "redis" ? "–" : pct(d[r].ofCeiling),
      `${ms(s.open[top]?.save.p50.median)} / ${ms(s.open[top]?.get.p50.median)} ${r === "redis" ? "(baseline)" : `(${sign(d[r].added[top].save)} / ${sign(d[r].added[top].get)})`}`,
      n0(d[r].clientUsAtTop),
      `${sign(d[r].rssAboveBare)} MB`,
      s.max.bound,
    ]),
  );
  out.max = mdTable(
    [
      "client",
      "calls/s median (IQR; min–max)",
      "p50 save / get ms",
      "CPU µs per call: client / daprd / Redis",
      "core use: client / daprd / Redis",
      "waited for a CPU, µs/call: client / daprd / Redis",
      "other processes, cores busy",
    ],
    rows.map(([r, s]) => {
      const m = s.max;
      const per = (/** @type {any} */ x, /** @type {(v: number) => string} */ f) =>
        `${f(x.client.median)} / ${f(x.daprd.median)} / ${f(x.redis.median)}`;
      return [
        label(r),
        `${n0(m.callsPerSec.median)} (${n0(m.callsPerSec.q1)}–${n0(m.callsPerSec.q3)}; ${n0(m.callsPerSec.min)}–${n0(m.callsPerSec.max)})`,
        `${ms(m.saveP50.median)} / ${ms(m.getP50.median)}`,
        per(m.cpuUsPerCall, n0),
        per(m.coreUse, pct),
        per(m.waitUsPerCall, n0),
        m.othersCores.median.toFixed(2),
      ];
    }),
  );
  for (const rateN of result.plan.rates) {
    const phase = `open${rateN}`;
    out[`open ${rateN}/s`] = mdTable(
      [
        "client",
        "save p50 / p90 / p99 ms",
        "get p50 / p90 / p99 ms",
        "added p50 save / get",
        "save p50 range",
        "achieved/s (dropped)",
        "send lag p50",
        "CPU µs/call client / daprd / Redis",
      ],
      rows.map(([r, s]) => {
        const o = s.open[phase];
        const l = (/** @type {any} */ x) => `${ms(x.p50.median)} / ${ms(x.p90.median)} / ${ms(x.p99.median)}`;
        return [
          label(r),
          l(o.save),
          l(o.get),
          r === "redis" ? "–" : `${sign(d[r].added[phase].save)} / ${sign(d[r].added[phase].get)}`,
          rng(o.save.p50),
          `${n0(o.achievedPerSec.median)} (${o.dropped})`,
          ms(o.lagP50.median),
          `${n0(o.cpuUsPerCall.client.median)} / ${n0(o.cpuUsPerCall.daprd.median)} / ${n0(o.cpuUsPerCall.redis.median)}`,
        ];
      }),
    );
  }
  out.startupDrivers = mdTable(
    [
      "client",
      "spawn → first read-back ms",
      "Node start ms",
      "import client ms",
      "create ms",
      "1st save ms",
      "1st get ms",
    ],
    Object.entries(/** @type {Record<string, any>} */ (result.startup.drivers)).map(([r, s]) => [
      label(r),
      rng(s.spawnToReadyMs),
      ms(s.bootMs.median),
      ms(s.importMs.median),
      ms(s.createMs.median),
      ms(s.firstSaveMs.median),
      ms(s.firstGetMs.median),
    ]),
  );
  out.startupApps = mdTable(
    [
      "app",
      "app spawn → 1st order saved, ms (range)",
      "the client alone (drivers' spawn → 1st read-back), ms",
      "daprd spawn → 1st order, ms",
      "daprd ready, ms",
      "app RSS MB (above bare Node)",
      "daprd RSS MB",
    ],
    Object.entries(/** @type {Record<string, any>} */ (result.startup.apps)).map(([v, s]) => [
      `${v}-app`,
      rng(s.fromAppMs),
      ms(result.startup.drivers[v === "sdk" ? "sdk-http" : v]?.spawnToReadyMs.median),
      ms(s.fromDaprdMs.median),
      ms(s.daprdReadyMs.median),
      `${n0(s.appRssMB.median)} (${sign(s.appRssMB.median - result.steady.bareRssMB.median)})`,
      n0(s.daprdRssMB.median),
    ]),
  );
  if (result.settings)
    out.settings = mdTable(
      [
        "daprd",
        "change",
        "ceiling calls/s",
        "daprd / Redis µs per call",
        "CPU 0 use",
        `at ${rate}/s p50 save / get ms`,
      ],
      result.settings.map((/** @type {any} */ s) => [
        s.name,
        s.change,
        n0(s.callsPerSec),
        `${n0(s.daprdUsPerCall)} / ${n0(s.redisUsPerCall)}`,
        pct(s.serverCoreUse),
        `${ms(s.saveP50)} / ${ms(s.getP50)}`,
      ]),
    );
  if (Object.keys(result.outage.runs).length)
    out.outage = mdTable(
      [
        "app",
        "Redis down → 1st daprd failure",
        "→ breaker open",
        "Redis down for",
        "Redis up → next order saved",
        "orders saved",
        "lost",
        "repeated / skipped",
        "app-side retries",
      ],
      Object.entries(/** @type {Record<string, any>} */ (result.outage.runs)).map(([v, r]) => [
        `${v}-app`,
        s1(r.firstFailureS),
        s1(r.breakerOpenS),
        s1(r.redisUpS),
        s1(r.recoveredAfterUpS),
        String(r.ordersSaved),
        String(r.audit.lost),
        `${r.audit.repeated} / ${r.audit.skipped}`,
        String(r.appRetries),
      ]),
    );
  out.code = mdTable(
    [
      "app",
      "client-specific TypeScript (files)",
      "lines (code only)",
      "direct dependencies",
      "npm packages installed for it",
    ],
    Object.entries(/** @type {Record<string, any>} */ (result.code)).map(([v, c]) => [
      `${v}-app`,
      c.files.join(", "),
      `${c.lines} (${c.codeLines})`,
      c.directDependencies.join(", ") || "none",
      String(c.packageCount),
    ]),
  );
  out.targets = mdTable(
    ["target (reported, not asserted)", "measured", "met"],
    targets(result).map((t) => [t.target, t.measured, t.met === undefined ? "–" : t.met ? "yes" : "**no**"]),
  );
  out.others = mdTable(
    ["pid", "process", "CPU s during the run", "% of one core"],
    (result.machine.others ?? []).map((/** @type {any} */ o) => [
      String(o.pid),
      `\`${(o.cmd || o.comm).replace(/\|/g, "/").slice(0, 70)}\``,
      o.cpuSeconds.toFixed(1),
      o.percentOfOneCore.toFixed(0),
    ]),
  );
  return out;
}
