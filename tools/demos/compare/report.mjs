// @ts-check
// The report's tables from a run's result (the targets in targets.mjs, the
// profiles in profiles.mjs); page.mjs puts them in the Markdown page.
import { fin, label, mdTable, ms, n0, pct, rng, s1, sign } from "./format.mjs";
import { derive, targets } from "./targets.mjs";
import { profileTables } from "./profiles.mjs";

export { mdTable, ms, label } from "./format.mjs";
export { derive, targets } from "./targets.mjs";

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
      "of its protocol's ceiling",
      `p50 at ${rate}/s from the schedule, save / get ms (added over Redis direct)`,
      `added from the actual send, save / get ms`,
      `client CPU µs/call at ${rate}/s`,
      "driver RSS above bare Node",
      "what stops it at its max",
    ],
    rows.map(([r, s]) => [
      label(r),
      rng(s.max.callsPerSec, n0),
      r === "redis" ? "–" : pct(d[r].ofCeiling),
      `${ms(s.open[top]?.save.p50.median)} / ${ms(s.open[top]?.get.p50.median)} ${r === "redis" ? "(baseline)" : `(${sign(d[r].added[top].save)} / ${sign(d[r].added[top].get)})`}`,
      r === "redis" ? "(baseline)" : `${sign(d[r].addedSent[top].save)} / ${sign(d[r].addedSent[top].get)}`,
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
        "save p50 / p90 / p99 ms from the schedule",
        "… from the send",
        "get p50 / p90 / p99 ms from the schedule",
        "… from the send",
        "added p50 save / get from the schedule",
        "… from the send",
        "save p50 from the send, range",
        "achieved/s (dropped)",
        "send lag p50 / p90 µs",
        "CPU µs/call client / daprd / Redis (the clock's polling, left out)",
      ],
      rows.map(([r, s]) => {
        const o = s.open[phase];
        const l = (/** @type {any} */ x) => `${ms(x.p50.median)} / ${ms(x.p90.median)} / ${ms(x.p99.median)}`;
        const a = d[r].added[phase];
        const b = d[r].addedSent[phase];
        return [
          label(r),
          l(o.save),
          l(o.saveService),
          l(o.get),
          l(o.getService),
          r === "redis" ? "–" : `${sign(a.save)} / ${sign(a.get)}`,
          r === "redis" ? "–" : `${sign(b.save)} / ${sign(b.get)}`,
          rng(o.saveService.p50),
          `${n0(o.achievedPerSec.median)} (${o.dropped})`,
          `${n0(o.lagP50.median * 1000)} / ${n0(o.lagP90?.median * 1000)}`,
          `${n0(o.cpuUsPerCall.client.median)} / ${n0(o.cpuUsPerCall.daprd.median)} / ${n0(o.cpuUsPerCall.redis.median)} (${n0(o.clockCpuUsPerCall?.median)})`,
        ];
      }),
    );
  }
  const hc = result.steady.rows.ceiling;
  const gc = result.steady.rows["grpc-ceiling"];
  if (hc && gc) {
    const col = (/** @type {string} */ name, /** @type {(s: any) => number} */ f, fmt = n0) => [
      name,
      fmt(f(hc)),
      fmt(f(gc)),
      ((/** @type {number} */ x) => (fin(x) ? `${x >= 0 ? "+" : ""}${x.toFixed(0)} %` : "–"))(
        (f(gc) / f(hc) - 1) * 100,
      ),
    ];
    out.ceilings = mdTable(
      ["", "HTTP API (raw HTTP/1.1)", "gRPC API (node:http2)", "gRPC against HTTP"],
      [
        col("max calls/s", (s) => s.max.callsPerSec.median),
        col("daprd CPU µs per call at the max", (s) => s.max.cpuUsPerCall.daprd.median),
        col(`daprd CPU µs per call at ${rate}/s`, (s) => s.open[top]?.cpuUsPerCall.daprd.median),
        col("Redis CPU µs per call at the max", (s) => s.max.cpuUsPerCall.redis.median),
        col("client CPU µs per call at the max", (s) => s.max.cpuUsPerCall.client.median),
        col(`p50 from the send at ${rate}/s, save ms`, (s) => s.open[top]?.saveService.p50.median, ms),
        col(`p50 from the send at ${rate}/s, get ms`, (s) => s.open[top]?.getService.p50.median, ms),
      ],
    );
  }
  const prof = profileTables(result, mdTable, label);
  if (prof) {
    out.profile = prof.overview;
    for (const p of prof.perRow) out[`profile ${p.row}`] = p.table;
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
  if (result.settings?.[0]?.clients) {
    const chg = (/** @type {number | undefined} */ x) =>
      x === undefined || !fin(x) ? "" : ` (${x >= 0 ? "+" : ""}${(x * 100).toFixed(0)} %)`;
    out.settings = mdTable(
      [
        "daprd",
        "client",
        "max calls/s median (min–max)",
        "against the default: faster in rounds, range clear of its range",
        "daprd / Redis µs per call",
        `p50 from the send at ${rate}/s, save / get ms`,
        "daprd RSS MB",
      ],
      result.settings.flatMap((/** @type {import("./settings.mjs").SettingResult} */ s) =>
        Object.entries(s.clients).map(([c, x]) => [
          s.name,
          label(c),
          `${rng(x.callsPerSec, n0)}${chg(x.vsDefault?.callsPerSecChange)}`,
          x.vsDefault
            ? `${x.vsDefault.roundsFaster} of ${x.vsDefault.rounds}; ${x.vsDefault.beyondSpread ? "**yes**" : "no"}`
            : "–",
          `${n0(x.daprdUsPerCall.median)} / ${n0(x.redisUsPerCall.median)}${chg(x.vsDefault?.daprdUsChange)}`,
          `${ms(x.saveP50.median)} / ${ms(x.getP50.median)}`,
          n0(s.daprdRssMB),
        ]),
      ),
    );
    out.settingsChanges = mdTable(
      ["daprd", "change", "what it costs users"],
      result.settings.map((/** @type {import("./settings.mjs").SettingResult} */ s) => [
        s.name,
        s.change,
        s.caveat ?? "nothing we know of",
      ]),
    );
  }
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
