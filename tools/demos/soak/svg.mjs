// @ts-check
// reports/soak.svg: the faults as bands on a time axis, one row per lane, and
// under them each app's saved-order count as a line: a flat stretch is a
// stall, a drop would be a loss. Plain SVG text.

const esc = (/** @type {unknown} */ s) =>
  String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (/** @type {number} */ x) => (Number.isFinite(x) ? x.toFixed(1) : "0");

const KIND_COLORS = /** @type {Record<string, string>} */ ({
  "redis-sigterm": "#e53935",
  "redis-sigkill": "#b71c1c",
  "redis-sigstop": "#6a1b9a",
  refuse: "#fb8c00",
  hang: "#5d4037",
  slow: "#fdd835",
  reset: "#f4511e",
  flaky: "#ffb300",
  cut: "#8d6e63",
  "daprd-kill": "#1565c0",
  failover: "#00838f",
});
const APP_COLORS = ["#1e88e5", "#3949ab", "#8e24aa", "#00897b", "#43a047", "#f4511e"];
const LANE_ORDER = ["redis", "network", "daprd"];

/** A round step for an axis of `span`. @param {number} span @param {number} ticks */
function step(span, ticks) {
  const raw = span / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  return ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

/** @param {import("./run.mjs").SoakResult} r */
export function renderSvg(r) {
  const W = 1000;
  const L = 120;
  const R = 220;
  const plotW = W - L - R;
  const laneH = 22;
  const lanes = LANE_ORDER.filter((l) => r.faults.some((f) => f.lane === l));
  const top = 50;
  const plotTop = top + lanes.length * (laneH + 4) + 30;
  const plotH = 300;
  const H = plotTop + plotH + 60;
  const endS = r.endS;
  const x = (/** @type {number} */ s) => L + (Math.max(0, Math.min(endS, s)) / endS) * plotW;
  const maxCount = Math.max(1, ...r.apps.map((a) => a.saved));
  const y = (/** @type {number} */ n) => plotTop + plotH - (n / maxCount) * plotH;
  /** @type {string[]} */
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="24" font-size="15" font-weight="bold">Chaos soak: seed ${esc(r.seed)}, ${r.faults.length} faults, ${r.apps.length} apps — ${r.verdict.ok ? "PASS" : "FAIL"}</text>`,
  ];
  // Fault bands, one row per lane; the same bands, faint, behind the lines.
  lanes.forEach((lane, i) => {
    const yy = top + i * (laneH + 4);
    out.push(`<text x="${L - 8}" y="${yy + 15}" text-anchor="end">${esc(lane)}</text>`);
    out.push(`<rect x="${L}" y="${yy}" width="${plotW}" height="${laneH}" fill="#f5f5f5"/>`);
    for (const f of r.faults.filter((z) => z.lane === lane)) {
      const x0 = x(f.startS);
      const w = Math.max(1.5, x(f.endS) - x0);
      const color = KIND_COLORS[f.kind] ?? "#999";
      out.push(
        `<rect x="${f1(x0)}" y="${yy}" width="${f1(w)}" height="${laneH}" fill="${color}"${f.error ? ' stroke="#000" stroke-dasharray="2,2"' : ""}><title>#${f.n} ${esc(f.kind)}${f.target ? ` ${esc(f.target)}` : ""}: ${f1(f.startS)}–${f1(f.endS)} s</title></rect>`,
      );
      out.push(
        `<rect x="${f1(x0)}" y="${plotTop}" width="${f1(w)}" height="${plotH}" fill="${color}" opacity="0.12"/>`,
      );
    }
  });
  // Axes.
  out.push(`<line x1="${L}" y1="${plotTop + plotH}" x2="${L + plotW}" y2="${plotTop + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${L}" y1="${plotTop}" x2="${L}" y2="${plotTop + plotH}" stroke="#333"/>`);
  const useMin = endS > 600;
  const ts = step(endS, 10);
  for (let t = 0; t <= endS; t += ts) {
    out.push(
      `<line x1="${f1(x(t))}" y1="${plotTop + plotH}" x2="${f1(x(t))}" y2="${plotTop + plotH + 4}" stroke="#333"/>`,
    );
    out.push(
      `<text x="${f1(x(t))}" y="${plotTop + plotH + 17}" text-anchor="middle">${useMin ? `${Math.round(t / 60)}` : Math.round(t)}</text>`,
    );
  }
  out.push(
    `<text x="${L + plotW / 2}" y="${plotTop + plotH + 36}" text-anchor="middle">${useMin ? "minutes" : "seconds"} since the soak's start</text>`,
  );
  const cs = step(maxCount, 6);
  for (let n = 0; n <= maxCount; n += cs) {
    out.push(`<line x1="${L - 4}" y1="${f1(y(n))}" x2="${L + plotW}" y2="${f1(y(n))}" stroke="#eee"/>`);
    out.push(`<text x="${L - 8}" y="${f1(y(n) + 4)}" text-anchor="end">${n}</text>`);
  }
  out.push(
    `<text x="20" y="${plotTop + plotH / 2}" transform="rotate(-90 20 ${plotTop + plotH / 2})" text-anchor="middle">orders saved</text>`,
  );
  // One line per app.
  r.apps.forEach((a, i) => {
    const color = APP_COLORS[i % APP_COLORS.length];
    const pts = a.counts.map(([t, n]) => `${f1(x(t))},${f1(y(n))}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    const ly = plotTop + 10 + i * 18;
    out.push(
      `<line x1="${L + plotW + 14}" y1="${ly}" x2="${L + plotW + 34}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
    );
    out.push(`<text x="${L + plotW + 40}" y="${ly + 4}">${esc(a.appId)} (${a.saved})</text>`);
  });
  // Legend of the fault kinds that occurred.
  const kinds = [...new Set(r.faults.map((f) => f.kind))];
  kinds.forEach((k, i) => {
    const ly = plotTop + 30 + r.apps.length * 18 + i * 16;
    out.push(`<rect x="${L + plotW + 14}" y="${ly - 9}" width="20" height="11" fill="${KIND_COLORS[k] ?? "#999"}"/>`);
    out.push(`<text x="${L + plotW + 40}" y="${ly}">${esc(k)}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
