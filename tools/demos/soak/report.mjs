// @ts-check
// reports/soak.md: the verdict, orders per app, faults by kind with the worst
// recovery after each, memory (start, end, slope), the machine's load, and the
// schedule as it ran. Made from the run's result only (soak.json holds it all).
import { faultName } from "./schedule.mjs";
import { clusters, longestGap } from "./checker.mjs";
import { partitionLines } from "./partition-report.mjs";

/** @param {string[]} header @param {(string | number)[][]} rows */
const table = (header, rows) =>
  [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
const s1 = (/** @type {number | null | undefined} */ x) =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(1);

/**
 * "2 (2): 6 starts, healthy after 30.0 s at worst": a daprd that exits at start (its store unreachable) is started again.
 * @param {import("./checker.mjs").DaprdRestart[]} rs @param {number} failed
 */
function restartsText(rs, failed) {
  if (rs.length === 0) return "0";
  const starts = rs.reduce((n, x) => n + (x.attempts ?? 1), 0);
  const worst = Math.max(...rs.map((x) => (x.readyAt ?? NaN) - x.at));
  return `${rs.length} (${rs.length - failed}): ${starts} starts, healthy after ${s1(worst)} s at worst`;
}

/** @param {import("./run.mjs").SoakResult} r */
export function markdown(r) {
  const v = r.verdict;
  const count = (/** @type {string} */ appId, /** @type {string[]} */ whats) =>
    v.problems.filter((p) => p.appId === appId && whats.includes(p.what)).length;
  const kinds = Object.entries(v.worst).sort(([a], [b]) => a.localeCompare(b));
  const stalls = stallsByKind(r);
  const [l0, l1] = [r.load[0]?.load, r.load.at(-1)?.load];
  const peakLoad = Math.max(...r.load.map((x) => x.load[0] ?? 0));
  const lines = [
    "# Chaos soak",
    "",
    `**${v.ok ? "PASS" : "FAIL"}**: ${r.apps.length} apps, ${r.faults.length} faults over ${Math.round(r.endS - r.baseS)} s, seed ${r.seed}. Replay: \`npx zx tools/demo.mjs soak --seed ${r.seed} --duration ${r.durationS}s${r.redis === "sentinel" ? ` --redis sentinel --durability ${r.durability}` : ""}${r.partition ? " --partition" : ""}${r.appEnv?.STATE_CONSISTENCY ? ` --consistency ${r.appEnv.STATE_CONSISTENCY}` : ""}\`.`,
    "",
    `- Redis: ${r.redis === "sentinel" ? `Sentinel (a primary, a replica, three Sentinels; durability ${r.durability}); its faults are ${r.partition ? "network partitions" : "primary failovers"}` : "one redis-server of the soak's own (append-only file, fsync on every write)"}.`,
    `- Network faults: ${r.network ? "through Toxiproxy between every daprd and Redis" : "none (no fault proxy in this run)"}.`,
    `- Policy: \`resources/resiliency.yaml\` as it is (retry every ${s1((r.policy?.retryEveryMs ?? NaN) / 1000)} s, breaker opens after ${r.policy?.tripAfter ?? "—"} failures for ${s1((r.policy?.openForMs ?? NaN) / 1000)} s), scoped to the soak's app ids.`,
    `- Recovery bound: ${r.boundS} s after the faults clear (the app's call timeout ${r.boundParts.callTimeoutS} s + daprd's retry interval ${r.boundParts.retryEveryS} s + the breaker's open time ${r.boundParts.breakerOpenS} s + ${r.boundParts.slackS} s slack).`,
    `- Machine load (1-min average): ${s1(l0?.[0])} at the start, ${s1(l1?.[0])} at the end, ${s1(peakLoad)} at most; the machine is shared, so the stall times include waiting for a core.`,
    "",
    ...(v.problems.length ? ["## Problems", "", ...v.problems.map((p) => `- ${p.text}`), ""] : []),
    ...partitionLines(r),
    "## Orders per app",
    "",
    table(
      [
        "app",
        "client",
        "saved",
        "orders",
        "skipped",
        "repeated",
        "lost or changed",
        "exited by itself",
        "daprd restarts (recovered)",
      ],
      r.apps.map((a) => [
        a.appId,
        a.label,
        a.saved,
        a.first === undefined ? "—" : `${a.first}…${a.last}`,
        count(a.appId, ["gap"]),
        count(a.appId, ["repeat"]),
        `${count(a.appId, ["missing", "wrong"])}${v.losses ? ` (+${v.losses.filter((l) => l.appId === a.appId).length} in partitions, above)` : ""}`,
        a.exitedByItself ? `at ${s1(a.exitedByItself.at)} s` : "no",
        restartsText(a.daprdRestarts, count(a.appId, ["daprd"])),
      ]),
    ),
    "",
    `Redis read ${r.checks.length} times (${r.checks.filter((c) => c.label === "checkpoint").length} checkpoints and the final read after the apps stopped): every order each app reported saved, by key \`<app id>||<order id>\`.`,
    "",
    "## Faults by kind",
    "",
    "A daprd-kill clears when the daprd started again answers healthy; while Redis is unreachable, a new daprd exits at start and the soak starts another every 2 s, as a supervisor would. Recovery: from the moment a fault (with every fault overlapping it) cleared to each app's next saved order; the worst over apps and occurrences. A kind inside a cluster of overlapping faults is charged the whole cluster's recovery.",
    "",
    table(
      ["fault", "times", "worst recovery (s)", "app", "longest stall (s)", "app"],
      kinds.map(([k, w]) => [
        k,
        w.count,
        w.worstS === null ? `over ${r.boundS}` : s1(w.worstS),
        w.app ?? "—",
        s1(stalls[k]?.stallS),
        stalls[k]?.app ?? "—",
      ]),
    ),
    "",
    "Longest stall: the longest stretch in which an app saved nothing, among the stretches that overlap a cluster with that kind in it (the app's own interval of 0.5 s included).",
    "",
    "## Memory (RSS)",
    "",
    "Slope: least squares over the process running at the end (a restarted daprd is a new process), MB per hour; late: over the run's second half.",
    "",
    table(
      ["process", "start MB", "end MB", "peak MB", "slope MB/h", "late slope MB/h", "processes"],
      r.memory.map((m) => [
        m.name,
        s1(m.startMB),
        s1(m.endMB),
        s1(m.peakMB),
        s1(m.slopeMBperH),
        s1(m.lateSlopeMBperH),
        m.processes,
      ]),
    ),
    "",
    "## Schedule, as it ran",
    "",
    `Times in seconds from the soak's start; the schedule's 0 is ${s1(r.baseS)} s (all apps saving).`,
    "",
    table(
      ["fault", "planned at", "for", "began", "cleared", "note"],
      r.faults.map((f) => {
        const p = r.schedule.find((x) => x.n === f.n);
        return [faultName(f), s1((p?.atS ?? NaN) + r.baseS), s1(p?.forS), s1(f.startS), s1(f.endS), f.error ?? ""];
      }),
    ),
    "",
  ];
  return lines.join("\n");
}

/**
 * The longest stall per kind: the checker's, or for a result written before it measured them, the same
 * measure on the saved-count line (its points are saves, exact around every stall over 2 s).
 * @param {import("./run.mjs").SoakResult} r
 * @returns {Record<string, { stallS: number, app?: string }>}
 */
function stallsByKind(r) {
  /** @type {Record<string, { stallS: number, app?: string }>} */
  const out = {};
  for (const [k, w] of Object.entries(r.verdict.worst))
    if (w.stallS !== undefined) out[k] = { stallS: w.stallS, app: w.stallApp };
  if (Object.keys(out).length) return out;
  for (const group of clusters(r.faults)) {
    const from = Math.min(...group.map((f) => f.startS));
    const to = Math.max(...group.map((f) => f.endS));
    for (const a of r.apps) {
      const st = longestGap(
        a.counts.slice(1, -1).map(([at]) => ({ id: 0, at })),
        from,
        to,
      );
      for (const f of group) {
        const w = (out[f.kind] ??= { stallS: 0 });
        if (st > w.stallS) Object.assign(w, { stallS: st, app: a.appId });
      }
    }
  }
  return out;
}
