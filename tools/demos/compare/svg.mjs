// @ts-check
// reports/compare.svg: latency at the top fixed rate, the maximum throughput with
// the CPU per call of each process, and one outage timeline per app. Plain SVG text.
import { ROW_LABELS } from "./steady.mjs";
import { ORIGINS } from "../../bench/lib/profile.mjs";

/** The picture has room for short names only; the tables give the long ones. @param {string} r */
const short = (r) => (ROW_LABELS[r] ?? r).replace(/ \(.*\)$/, "");

const esc = (/** @type {unknown} */ s) =>
  String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (/** @type {number} */ x) => (Number.isFinite(x) ? x.toFixed(1) : "0");
const CB_COLORS = { closed: "#43a047", "half-open": "#fb8c00", open: "#e53935" };
const ROW_COLORS = /** @type {Record<string, string>} */ ({
  redis: "#757575",
  "sdk-http": "#1e88e5",
  "sdk-grpc": "#3949ab",
  http: "#8e24aa",
  grpc: "#00897b",
  ceiling: "#f4511e",
  "grpc-ceiling": "#6d4c41",
  sdk: "#1e88e5",
});
const VARIANT_COLORS = ROW_COLORS;
const PROC_COLORS = { client: "#1e88e5", daprd: "#f4511e", redis: "#757575" };
/** The client's origins (blues and greens: libraries; purples: Node; greys: V8), then daprd and Redis. */
const ORIGIN_COLORS = /** @type {Record<string, string>} */ ({
  "grpc-js": "#00897b",
  "connect-es": "#26a69a",
  "protobuf-es": "#80cbc4",
  "@dapr/dapr": "#1565c0",
  "node-fetch": "#64b5f6",
  "node-redis": "#9e9e9e",
  "other packages": "#b0bec5",
  "Node http/http2": "#6a1b9a",
  "Node net/streams": "#9c27b0",
  "Node other": "#ce93d8",
  "our code": "#fdd835",
  "V8 builtins & native": "#546e7a",
  GC: "#37474f",
  "client, other threads": "#cfd8dc",
  daprd: "#f4511e",
  Redis: "#d32f2f",
});
const CPU_PARTS = ORIGINS.filter((o) => o !== "idle");

/** @param {any} result */
export function renderSvg(result) {
  const W = 960;
  const L = 250;
  const R = 170;
  const plotW = W - L - R;
  /** @type {string[]} */
  const parts = [];
  let y = 30;
  const text = (/** @type {number} */ x, /** @type {number} */ yy, /** @type {unknown} */ s, attrs = "") =>
    parts.push(`<text x="${f1(x)}" y="${f1(yy)}" ${attrs}>${esc(s)}</text>`);
  const rows = Object.entries(/** @type {Record<string, any>} */ (result.steady?.rows ?? {}));
  const rate = Math.max(...result.plan.rates);
  const top = `open${rate}`;

  // 1. Latency at the top rate, log scale: bar p50, box p50–p90, whisker to p99 (medians over rounds).
  text(
    10,
    y,
    `Latency at ${rate} calls/s open loop, ms (log scale): bar = p50, box to p90, line to p99; ${result.quick ? "--quick" : "full"} run ${result.date}`,
    'font-weight="bold"',
  );
  const lrows = rows.flatMap(([r, s]) => ["save", "get"].map((k) => ({ r, k, q: s.open[top]?.[k] })));
  const values = lrows.flatMap((x) => [x.q?.p50.median, x.q?.p99.median]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 1)));
  const x = (/** @type {number} */ v) =>
    L + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * plotW;
  let rowTop = y + 15;
  const rowH = 18;
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const mlt of [1, 2, 5]) {
      if (d * mlt > hi * 1.0001) break;
      parts.push(
        `<line x1="${f1(x(d * mlt))}" y1="${rowTop}" x2="${f1(x(d * mlt))}" y2="${rowTop + lrows.length * rowH}" stroke="#ddd"/>`,
      );
      text(
        x(d * mlt),
        rowTop + lrows.length * rowH + 14,
        `${+(d * mlt).toPrecision(3)}`,
        'text-anchor="middle" fill="#555"',
      );
    }
  }
  lrows.forEach((row, i) => {
    if (!row.q) return;
    const cy = rowTop + i * rowH + rowH / 2;
    const c = ROW_COLORS[row.r] ?? "#333";
    const [p50, p90, p99] = [row.q.p50.median, row.q.p90.median, row.q.p99.median];
    text(L - 8, cy + 4, `${short(row.r)} · ${row.k}`, 'text-anchor="end"');
    parts.push(`<line x1="${f1(x(p50))}" y1="${f1(cy)}" x2="${f1(x(p99))}" y2="${f1(cy)}" stroke="${c}"/>`);
    parts.push(
      `<rect x="${f1(x(p50))}" y="${f1(cy - 6)}" width="${f1(Math.max(1, x(p90) - x(p50)))}" height="12" fill="${c}" fill-opacity="0.35" stroke="${c}"/>`,
    );
    parts.push(
      `<line x1="${f1(x(p50))}" y1="${f1(cy - 7)}" x2="${f1(x(p50))}" y2="${f1(cy + 7)}" stroke="${c}" stroke-width="3"/>`,
    );
    text(W - R + 8, cy + 4, `p50 ${+p50.toPrecision(2)} · p99 ${+p99.toPrecision(2)} ms`, 'fill="#333"');
  });
  y = rowTop + lrows.length * rowH + 40;

  // 2. Maximum throughput, and CPU µs per call stacked by process.
  text(
    10,
    y,
    "Closed-loop maximum, calls/s (left), and CPU µs per call: client | daprd | Redis (right)",
    'font-weight="bold"',
  );
  rowTop = y + 12;
  const maxRate = Math.max(1, ...rows.map(([, s]) => s.max.callsPerSec.median));
  const maxCpu = Math.max(
    1,
    ...rows.map(([, s]) => ["client", "daprd", "redis"].reduce((a, k) => a + (s.max.cpuUsPerCall[k].median || 0), 0)),
  );
  const half = plotW / 2 - 10;
  rows.forEach(([r, s], i) => {
    const cy = rowTop + i * 20;
    text(L - 8, cy + 13, short(r), 'text-anchor="end"');
    const w = (s.max.callsPerSec.median / maxRate) * half;
    parts.push(
      `<rect x="${L}" y="${cy + 3}" width="${f1(Math.max(1, w))}" height="13" fill="${ROW_COLORS[r] ?? "#333"}"/>`,
    );
    text(L + w + 4, cy + 13, s.max.callsPerSec.median.toFixed(0), 'fill="#333" font-size="10"');
    let cx = L + half + 40;
    for (const [k, c] of Object.entries(PROC_COLORS)) {
      const v = s.max.cpuUsPerCall[k].median || 0;
      const cw = (v / maxCpu) * (half - 40);
      if (cw > 0)
        parts.push(`<rect x="${f1(cx)}" y="${cy + 3}" width="${f1(cw)}" height="13" fill="${c}" fill-opacity="0.8"/>`);
      cx += cw;
    }
    text(
      cx + 4,
      cy + 13,
      `${["client", "daprd", "redis"].map((k) => (s.max.cpuUsPerCall[k].median || 0).toFixed(0)).join(" | ")} µs`,
      'fill="#333" font-size="10"',
    );
  });
  y = rowTop + rows.length * 20 + 36;

  // 3. Where a call's CPU goes (the profiled closed-loop run): the client's main thread by origin, its other
  // threads, then daprd and Redis; one stacked bar per row, µs per call.
  const profiled = rows.filter(([, s]) => s.profile);
  if (profiled.length) {
    text(
      10,
      y,
      "CPU µs per call at the closed-loop maximum (profiled run): the client by origin, then daprd and Redis",
      'font-weight="bold"',
    );
    const segs = (/** @type {any} */ p) => [
      ...CPU_PARTS.filter((k) => k in ORIGIN_COLORS).map((k) => ({ k, v: p.origins[k] ?? 0 })),
      { k: "client, other threads", v: p.otherThreadsUsPerCall },
      { k: "daprd", v: p.daprdUsPerCall || 0 },
      { k: "Redis", v: p.redisUsPerCall || 0 },
    ];
    const total = Math.max(1, ...profiled.map(([, s]) => segs(s.profile).reduce((a, g) => a + g.v, 0)));
    const barW = plotW + R - 70;
    rowTop = y + 12;
    profiled.forEach(([r, s], i) => {
      const cy = rowTop + i * 22;
      text(L - 8, cy + 14, short(r), 'text-anchor="end"');
      let cx = L;
      for (const g of segs(s.profile)) {
        const w = (g.v / total) * barW;
        if (w <= 0) continue;
        parts.push(
          `<rect x="${f1(cx)}" y="${cy + 3}" width="${f1(w)}" height="15" fill="${ORIGIN_COLORS[g.k] ?? "#999"}"><title>${esc(`${g.k}: ${g.v.toFixed(1)} µs`)}</title></rect>`,
        );
        cx += w;
      }
      text(
        cx + 4,
        cy + 14,
        `${segs(s.profile)
          .reduce((a, g) => a + g.v, 0)
          .toFixed(0)} µs`,
        'fill="#333" font-size="10"',
      );
    });
    y = rowTop + profiled.length * 22 + 14;
    const used = Object.keys(ORIGIN_COLORS).filter((k) =>
      profiled.some(([, s]) => segs(s.profile).some((g) => g.k === k && g.v > 0)),
    );
    let lx = 10;
    for (const k of used) {
      const w = 22 + k.length * 6.2;
      if (lx + w > W - 10) {
        lx = 10;
        y += 16;
      }
      parts.push(`<rect x="${f1(lx)}" y="${y - 9}" width="12" height="10" fill="${ORIGIN_COLORS[k]}"/>`);
      text(lx + 16, y, k, 'font-size="11"');
      lx += w;
    }
    y += 36;
  }

  const runs = Object.entries(result.outage?.runs ?? {});
  if (runs.length) {
    text(
      10,
      y,
      "Redis outage: orders saved per second (bars), circuit breaker state from daprd's log and /metrics; t = 0 s when Redis stops",
      'font-weight="bold"',
    );
    const t0 = -Math.max(...runs.map(([, r]) => r.leadS));
    const t1 = Math.max(...runs.map(([, r]) => r.endS));
    const tx = (/** @type {number} */ t) => L + ((t - t0) / (t1 - t0 || 1)) * plotW;
    const maxRate = Math.max(
      1,
      ...runs.flatMap(([, r]) => r.ordersPerSecond.map((/** @type {{n: number}} */ b) => b.n)),
    );
    const rowH2 = 84;
    runs.forEach(([name, r], i) => {
      const base = y + i * rowH2 + 70;
      text(L - 8, base - 20, `${name}-app`, 'text-anchor="end" font-weight="bold"');
      text(L - 8, base - 6, `${r.ordersSaved} saved, ${r.audit.lost} lost`, 'text-anchor="end" fill="#555"');
      for (const b of r.ordersPerSecond) {
        const h = (b.n / maxRate) * 30;
        if (h > 0)
          parts.push(
            `<rect x="${f1(tx(b.t))}" y="${f1(base - h)}" width="${f1(Math.max(1, tx(b.t + 1) - tx(b.t) - 1))}" height="${f1(h)}" fill="${VARIANT_COLORS[name] ?? "#333"}"/>`,
          );
      }
      // Two strips: the state from daprd's log lines (exact), and the cb_state gauge as scraped
      // once a second (daprd updates it only when a call passes the breaker, so it lags).
      /** @typedef {{from: number, to: number, state: string | undefined}} Span */
      const strip = (/** @type {Span[]} */ spans, /** @type {number} */ yy, /** @type {string} */ name) => {
        /** @type {Span[]} */
        const merged = [];
        for (const sp of spans) {
          const last = merged.at(-1);
          if (last && last.state === sp.state) last.to = sp.to;
          else merged.push({ ...sp });
        }
        for (const sp of merged)
          parts.push(
            `<rect x="${f1(tx(sp.from))}" y="${yy}" width="${f1(Math.max(0.5, tx(sp.to) - tx(sp.from)))}" height="7" fill="${/** @type {Record<string, string>} */ (CB_COLORS)[sp.state ?? ""] ?? "#bdbdbd"}"/>`,
          );
        text(W - R + 8, yy + 7, name, 'fill="#555" font-size="10"');
      };
      const logSpans = [{ t: -r.leadS, to: "closed" }, ...r.transitions].map(
        (/** @type {{t: number, to: string}} */ tr, /** @type {number} */ j, /** @type {{t: number}[]} */ all) => ({
          from: tr.t,
          to: all[j + 1]?.t ?? r.endS,
          state: tr.to,
        }),
      );
      strip(logSpans, base + 3, "breaker (log)");
      strip(
        r.metrics.map((/** @type {{t: number, cb?: string}} */ s, /** @type {number} */ j) => ({
          from: s.t,
          to: r.metrics[j + 1]?.t ?? s.t + 1,
          state: s.cb,
        })),
        base + 12,
        "cb_state (metrics)",
      );
      // Labels above the bars, on two heights so neighbours do not overwrite each other.
      const mark = (
        /** @type {number} */ t,
        /** @type {string} */ label,
        /** @type {string} */ color,
        /** @type {number} */ row,
      ) => {
        if (!Number.isFinite(t)) return;
        parts.push(
          `<line x1="${f1(tx(t))}" y1="${base - 56 + row * 10}" x2="${f1(tx(t))}" y2="${base + 20}" stroke="${color}" stroke-dasharray="3,2"/>`,
        );
        text(tx(t) + 2, base - 46 + row * 10, label, `fill="${color}" font-size="10"`);
      };
      mark(0, "Redis down", "#000", 0);
      mark(r.firstFailureS, "1st daprd failure", "#ef6c00", 1);
      mark(r.breakerOpenS, "breaker open", "#e53935", 0);
      mark(r.redisUpS, "Redis up", "#1565c0", 1);
    });
    y += (runs.length - 1) * rowH2 + 70 + 36;
    const step = t1 - t0 > 30 ? 10 : 5;
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step)
      text(tx(t), y, `${t} s`, 'text-anchor="middle" fill="#555"');
    y += 20;
    let lx = L;
    for (const [state, color] of Object.entries(CB_COLORS)) {
      parts.push(`<rect x="${lx}" y="${y - 9}" width="12" height="8" fill="${color}"/>`);
      text(lx + 16, y, `breaker ${state}`);
      lx += 140;
    }
    text(lx, y, `bars: orders saved per second (max ${maxRate})`, 'fill="#555"');
    y += 10;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 20}" viewBox="0 0 ${W} ${y + 20}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join("\n")}\n</svg>\n`;
}
