// @ts-check
// What the tables and targets share (added latency, the fraction of the row's
// own protocol's ceiling), and the targets, each with what this run measured.
import { fin, label, ms, n0, pct, sign } from "./format.mjs";

/** @typedef {{target: string, measured: string, met: boolean | undefined}} Target */

/** Each row's protocol's ceiling: the cheapest client of the same API. */
export const CEILING_OF = /** @type {Record<string, string>} */ ({
  "sdk-http": "ceiling",
  http: "ceiling",
  ceiling: "ceiling",
  "sdk-grpc": "grpc-ceiling",
  grpc: "grpc-ceiling",
  "grpc-ceiling": "grpc-ceiling",
});

/** The derived numbers the tables and targets share. @param {any} result */
export function derive(result) {
  const rows = result.steady.rows;
  const top = `open${Math.max(...result.plan.rates)}`;
  const base = rows.redis?.open[top];
  const bare = result.steady.bareRssMB.median;
  /** @type {Record<string, any>} */
  const d = {};
  for (const [r, s] of Object.entries(rows)) {
    /** @type {Record<string, any>} */
    const added = {};
    /** @type {Record<string, any>} */
    const addedSent = {};
    for (const [phase, o] of Object.entries(/** @type {Record<string, any>} */ (s.open))) {
      const b = rows.redis?.open[phase];
      added[phase] = {
        save: o.save.p50.median - (b?.save.p50.median ?? NaN),
        get: o.get.p50.median - (b?.get.p50.median ?? NaN),
      };
      // From the actual send: the clock's own lateness left out.
      addedSent[phase] = {
        save: o.saveService.p50.median - (b?.saveService.p50.median ?? NaN),
        get: o.getService.p50.median - (b?.getService.p50.median ?? NaN),
      };
    }
    const ceiling = CEILING_OF[r];
    d[r] = {
      added,
      addedSent,
      ceiling,
      ofCeiling: s.max.callsPerSec.median / (rows[ceiling ?? ""]?.max.callsPerSec.median ?? NaN),
      rssAboveBare: s.rssMB.median - bare,
      clientUsAtTop: s.open[top]?.cpuUsPerCall.client.median,
    };
  }
  return { top, base, d };
}

/** The costliest functions of a row's profile, as "name 12 µs". @param {any} s @param {number} n */
const topFunctions = (s, n = 3) =>
  (s.profile?.top ?? [])
    .slice(0, n)
    .map((/** @type {any} */ f) => `\`${f.name}\` (${f.origin}) ${f.usPerCall.toFixed(0)} µs`)
    .join(", ");

/** The targets of issues 10 and 17, each with what this run measured. Never asserted. @param {any} result @returns {Target[]} */
export function targets(result) {
  const { top, d } = derive(result);
  const rate = top.slice(4);
  const all = result.steady.rows;
  const rows = Object.keys(all).filter((r) => r !== "redis" && !r.endsWith("ceiling"));
  /** @type {Target[]} */
  const out = [];
  for (const r of rows) {
    const a = d[r].added[top];
    const worst = Math.max(a.save, a.get);
    const achieved = all[r].open[top]?.achievedPerSec.median;
    const behind = achieved < 0.95 * Number(rate) ? `; kept up only ${n0(achieved)}/s of ${rate}/s` : "";
    out.push({
      target: `${label(r)}: adds ≤ 0.5 ms p50 over Redis direct at ${rate}/s`,
      measured: `save ${sign(a.save)} ms, get ${sign(a.get)} ms${behind}`,
      met: fin(worst) ? worst <= 0.5 : undefined,
    });
    const c = d[r].ceiling;
    if (!c) continue;
    const own = d[r].addedSent[top];
    const ceil = d[c]?.addedSent[top];
    const over = Math.max(own.save - (ceil?.save ?? NaN), own.get - (ceil?.get ?? NaN));
    out.push({
      target: `${label(r)}: added p50 from the actual send within 0.3 ms of ${label(c)}`,
      measured: `${sign(over)} ms (this row save ${sign(own.save)} / get ${sign(own.get)}, the ceiling ${sign(ceil?.save)} / ${sign(ceil?.get)} ms)`,
      met: fin(over) ? over <= 0.3 : undefined,
    });
    const s = all[r];
    const met = fin(d[r].ofCeiling) ? d[r].ofCeiling >= 0.9 : undefined;
    out.push({
      target: `${label(r)}: closed-loop max ≥ 90 % of ${label(c)}, or the functions that stop it named`,
      measured: `${pct(d[r].ofCeiling)}; ${s.max.bound}${met === false && s.profile ? `; costliest: ${topFunctions(s)}` : ""}`,
      met: met === false && s.profile ? undefined : met,
    });
  }
  for (const [r, s] of Object.entries(/** @type {Record<string, any>} */ (all))) {
    const lag = s.open[top]?.lagP50.median;
    out.push({
      target: `${label(r)}: send lag p50 ≤ 50 µs at ${rate}/s`,
      measured: `${fin(lag) ? (lag * 1000).toFixed(0) : "–"} µs`,
      met: fin(lag) ? lag <= 0.05 : undefined,
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
