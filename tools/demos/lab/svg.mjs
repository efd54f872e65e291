// @ts-check
// reports/lab.svg: one small timeline per cell on a shared time axis (policies
// down, faults across): the fault's window, the breaker's state, orders saved
// (green), failed calls the app saw (red), and the waits between orders
// (grey), so the eye sees which policy stalls, which fails fast, which hammers.

/** @typedef {import("./index.mjs").LabResult} LabResult */

const W = 150; // one panel
const H = 46;
const LEFT = 118;
const TOP = 52;
const GAP = 8;

/** @param {string} t */
const esc = (t) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** @param {LabResult} res */
export function renderSvg(res) {
  const cols = res.faults.length;
  const rows = res.policies.length;
  const t0 = -3;
  const t1 = res.faultS + 15;
  const x = (/** @type {number} */ t) => Math.max(0, Math.min(W, ((t - t0) / (t1 - t0)) * W));
  const width = Math.max(820, LEFT + cols * (W + GAP) + 10);
  const height = TOP + rows * (H + 22) + 70;
  const byKey = new Map(res.cells.map((c) => [`${c.policy}|${c.fault}`, c]));
  const o = [];
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="18" font-size="14" font-weight="bold">The resiliency lab: ${esc(res.app)}, each fault held ${res.faultS} s (shaded); time axis ${t0} s … +${t1} s from the fault</text>`,
    `<text x="10" y="34" fill="#555">green: an order saved · red: a failed call the app saw · grey: no order · top strip: breaker open (red) / half-open (orange) · ✖: audit not clean</text>`,
  );
  res.faults.forEach((f, c) => {
    o.push(
      `<text x="${LEFT + c * (W + GAP) + W / 2}" y="${TOP - 6}" text-anchor="middle" font-weight="bold">${esc(f.name)}</text>`,
    );
  });
  res.policies.forEach((p, r) => {
    const y = TOP + r * (H + 22);
    o.push(`<text x="${LEFT - 8}" y="${y + H / 2 + 4}" text-anchor="end" font-weight="bold">${esc(p.name)}</text>`);
    res.faults.forEach((f, c) => {
      const cell = byKey.get(`${p.name}|${f.name}`);
      const gx = LEFT + c * (W + GAP);
      o.push(`<g transform="translate(${gx},${y})">`);
      o.push(`<rect width="${W}" height="${H}" fill="#fafafa" stroke="#ccc"/>`);
      if (!cell || cell.error) {
        o.push(
          `<text x="${W / 2}" y="${H / 2 + 4}" text-anchor="middle" fill="#999">${cell ? "did not run" : ""}</text></g>`,
        );
        return;
      }
      const tl = cell.timeline;
      o.push(`<title>${esc(`${p.name} × ${f.name}: ${cell.verdict}`)}</title>`);
      o.push(`<rect x="${x(0)}" width="${x(tl.faultEnd) - x(0)}" height="${H}" fill="#fde2e2"/>`);
      for (const b of tl.breaker)
        o.push(
          `<rect x="${x(b.from)}" y="0" width="${Math.max(1, x(b.to) - x(b.from))}" height="7" fill="${b.state === "open" ? "#d62728" : "#ff9f1c"}"/>`,
        );
      // waits: a grey bar between two orders more than 1.5 s apart (or after the last one)
      const saves = tl.saves;
      for (let i = 0; i < saves.length; i++) {
        const a = /** @type {number} */ (saves[i]);
        const b = saves[i + 1] ?? tl.end;
        if (b - a > 1.5)
          o.push(`<rect x="${x(a)}" y="${H / 2 - 3}" width="${Math.max(1, x(b) - x(a))}" height="6" fill="#bbb"/>`);
      }
      for (const t of saves)
        o.push(`<line x1="${x(t)}" x2="${x(t)}" y1="12" y2="${H / 2 + 6}" stroke="#2ca02c" stroke-width="1.2"/>`);
      for (const t of tl.errors)
        o.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${H / 2 + 6}" y2="${H - 3}" stroke="#d62728" stroke-width="1.2"/>`);
      if (tl.reloaded !== undefined)
        o.push(
          `<line x1="${x(tl.reloaded)}" x2="${x(tl.reloaded)}" y1="0" y2="${H}" stroke="#1f77b4" stroke-dasharray="2,2"/>`,
        );
      const short = cell.verdict.split(",")[0] ?? "";
      const load = cell.loadRatio !== null && cell.loadRatio >= 2 ? ` ×${cell.loadRatio.toFixed(1)}` : "";
      o.push(
        `<text x="2" y="${H + 13}" fill="${cell.clean ? "#333" : "#d62728"}">${cell.clean ? "" : "✖ "}${esc(short)}${esc(load)}</text>`,
      );
      o.push("</g>");
    });
  });
  // the shared axis under the last row
  const ay = TOP + rows * (H + 22) + 4;
  res.faults.forEach((_, c) => {
    const gx = LEFT + c * (W + GAP);
    for (const t of [0, res.faultS, res.faultS + 10]) {
      o.push(`<line x1="${gx + x(t)}" x2="${gx + x(t)}" y1="${ay}" y2="${ay + 4}" stroke="#555"/>`);
      o.push(`<text x="${gx + x(t)}" y="${ay + 15}" text-anchor="middle" fill="#555" font-size="9">${t} s</text>`);
    }
  });
  const m = res.machine;
  o.push(
    `<text x="10" y="${height - 12}" fill="#777">${m.cpus} × ${esc(m.model)}; load average ${m.loadBefore.join(" / ")} before, ${m.loadAfter.join(" / ")} after; ${res.parallel} cells at a time; ${res.date}</text>`,
    "</svg>",
  );
  return `${o.join("\n")}\n`;
}
