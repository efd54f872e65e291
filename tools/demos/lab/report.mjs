// @ts-check
// reports/lab.md: the matrix (policies down, faults across, each cell a few
// numbers and a verdict), then one section per fault with every number, the
// hot-reload measurement, and the machine it ran on.

/** @typedef {import("./index.mjs").LabResult} LabResult */
/** @typedef {import("./measure.mjs").CellResult} CellResult */

const s = (/** @type {number | null | undefined} */ x, unit = " s") =>
  x === null || x === undefined ? "–" : `${x}${unit}`;

/** @param {CellResult} r */
function auditText(r) {
  if (!r.audit) return "not audited";
  const { lost, repeated, skipped } = r.audit;
  return r.clean ? "0 / 0 / 0" : `**${lost} / ${repeated} / ${skipped}**`;
}

/** @param {CellResult} r */
function breakerText(r) {
  if (!r.transitions.length) return "closed";
  const opens = r.transitions.filter((t) => t.to === "open" && t.at >= 0).length;
  return opens ? `opened at ${r.firstOpenS} s (${opens}×)` : r.transitions.map((t) => t.to).join("→");
}

/** The matrix cell: verdict, then stall · errors · load. @param {CellResult | undefined} r */
function matrixCell(r) {
  if (!r) return "";
  if (r.error) return "did not run";
  const load = r.loadRatio === null ? "" : ` · load ×${r.loadRatio}`;
  return `**${r.verdict}**<br>stall ${s(r.stallS)}${r.stallOpen ? "+" : ""} · ${r.appErrors} err${load}${r.clean ? " · ✔" : " · ✖"}`;
}

/** @param {LabResult} res */
export function markdown(res) {
  const { machine: m } = res;
  const byKey = new Map(res.cells.map((c) => [`${c.policy}|${c.fault}`, c]));
  const out = [];
  out.push("# The resiliency lab", "");
  out.push(
    `${res.app}: ${res.policies.length} policies × ${res.faults.length} faults${res.traps?.length ? ` and ${res.traps.length} trap cells` : ""}${res.reload ? " and the two reload cells" : ""}, each fault held ${res.faultS} s, ` +
      `${res.parallel} cell(s) at a time, each with its own Redis (for failover: a primary, a replica and three Sentinels), ` +
      `Toxiproxy proxy, daprd and app. ` +
      `Ran ${res.date} in ${res.seconds} s on ${m.cpus} × ${m.model}; load average (1/5/15 min) ` +
      `${m.loadBefore.join(" / ")} before, ${m.loadAfter.join(" / ")} after` +
      `${m.loadBefore[0] !== undefined && m.loadBefore[0] > m.cpus ? " — a machine shared with other work, so latencies are not a quiet machine's" : ""}.`,
    "",
    "Written by `npx zx tools/demo.mjs lab`; what it teaches: [docs/lab.md](../docs/lab.md).",
    "",
    "![one timeline per cell](lab.svg)",
    "",
    "## The matrix",
    "",
    "Each cell: the verdict; the longest time the app saw no saved order around the fault (the stall; + when no order",
    "came within 20 s of the fault clearing); the failed calls the app saw; the commands Redis received per second",
    "during the fault against before it; ✔ when every order the app reported saved is in Redis, none repeated or skipped.",
    "",
  );
  out.push(`| policy | ${res.faults.map((f) => f.name).join(" | ")} |`);
  out.push(`| --- | ${res.faults.map(() => "---").join(" | ")} |`);
  for (const p of res.policies)
    out.push(`| **${p.name}** | ${res.faults.map((f) => matrixCell(byKey.get(`${p.name}|${f.name}`))).join(" | ")} |`);
  out.push("", "## The policies", "");
  for (const p of res.policies) out.push(`- **${p.name}**${p.own ? " (yours)" : ""}: ${p.about}.`);
  out.push("", "## Fault by fault", "");
  out.push(
    "Times in seconds from the moment the fault was applied. Save latency: as the app saw it, from the previous",
    "order's read-back (plus its 500 ms pause) to the save line, in ms. Commands: Redis's `INFO commandstats`,",
    "without the tool's own. Lost / repeated / skipped: the audit against Redis after the app stopped.",
    "",
  );
  for (const f of res.faults) {
    out.push(`### ${f.name}`, "", `${f.does}. Stands for: ${f.standsFor}.`, "");
    out.push(
      "| policy | verdict | stall | saved during | app errors (first) | save p50 / p99 during (before) | daprd's first retry | breaker | cmds per order before → during | load | next order after | lost / rep. / skip. |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const p of res.policies) {
      const r = byKey.get(`${p.name}|${f.name}`);
      if (!r) continue;
      if (r.error) {
        out.push(`| ${p.name} | did not run: ${r.error.replace(/\|/g, "\\|").split("\n")[0]} | | | | | | | | | | |`);
        continue;
      }
      const lat = r.latencyDuring ? `${r.latencyDuring.p50} / ${r.latencyDuring.p99}` : "–";
      const latB = r.latencyBefore ? ` (${r.latencyBefore.p50} / ${r.latencyBefore.p99})` : "";
      out.push(
        `| ${p.name} | ${r.verdict} | ${s(r.stallS)}${r.stallOpen ? "+" : ""} | ${r.savedDuring} | ${r.appErrors} (${s(r.firstErrorS)}) | ${lat}${latB} | ${s(r.firstRetryS)} | ${breakerText(r)} | ${s(r.cmdsPerOrderBefore, "")} → ${s(r.cmdsPerOrderDuring, "")} | ${s(r.loadRatio, "×")} | ${s(r.recoveryS)} | ${auditText(r)} |`,
      );
    }
    out.push("");
  }
  const notes = [...new Set(res.cells.map((c) => c.metricsNote).filter(Boolean))];
  const acts = res.cells.filter((c) => Object.keys(c.activations).length);
  out.push("## daprd's metrics", "");
  out.push(
    acts.length
      ? `\`dapr_resiliency_activations_total\` at each cell's end, by policy kind: ${acts
          .map(
            (c) =>
              `${c.policy} × ${c.fault}: ${Object.entries(c.activations)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ")}`,
          )
          .join("; ")}.`
      : "No cell's daprd reported `dapr_resiliency_activations_total`.",
    ...(notes.length ? ["", `Not available: ${notes.join("; ")}.`] : []),
    "",
  );
  out.push(...attemptsSection(res));
  if (res.reload) out.push(...reloadSection(res.reload));
  return `${out.join("\n")}\n`;
}

/** Every cell whose fault let each write attempt reach Redis: the attempts as MONITOR saw them. @param {LabResult} res */
function attemptsSection(res) {
  const cells = res.cells.filter((c) => c.attempts);
  if (!cells.length) return [];
  const traps = res.traps ?? [];
  const out = [
    "## Each attempt, as Redis saw it (MONITOR)",
    "",
    "Under a fault where Redis answers every write with an error, each attempt reaches it: `redis-cli monitor` gives",
    "each write's time. A burst: one order's writes less than 1 s apart (the state store client's own retries inside one",
    "daprd attempt); the gap between bursts is daprd's retry interval.",
    ...(traps.length
      ? [
          "",
          `Trap cells (not in the matrix): ${traps.map((t) => `**${t.name}** × ${t.fault} (${t.issue}): ${t.about}`).join("; ")}.`,
        ]
      : []),
    "",
    "| policy × fault | writes at Redis | bursts | writes per burst | gap inside a burst | gap between bursts | every gap (s × how often) | app errors | writes per app error |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const c of cells) {
    const a = /** @type {import("./attempts.mjs").Attempts} */ (c.attempts);
    out.push(
      `| ${c.policy} × ${c.fault} | ${a.writes} | ${a.bursts} | ${a.bursts ? Math.round((a.writes / a.bursts) * 100) / 100 : "–"} | ` +
        `${s(a.inBurstGapS)} | ${s(a.burstGapS)} | ${a.gaps.map((g) => `${g.s} × ${g.n}`).join(", ") || "–"} | ${c.appErrors} | ` +
        `${c.appErrors ? Math.round((a.writes / c.appErrors) * 100) / 100 : "–"} |`,
    );
  }
  out.push("");
  return out;
}

/** @param {import("./reload.mjs").ReloadResult} r */
function reloadSection(r) {
  const q = (/** @type {string} */ l) => `\`${l.replace(/`/g, "'")}\``;
  /** @param {string} title @param {import("./reload.mjs").ReloadScenario} x */
  const one = (title, x) => [
    `### ${title}`,
    "",
    `The file was written ${x.changedAtS < 0 ? `${-x.changedAtS} s before the fault` : `${x.changedAtS} s into the fault`}; ` +
      `daprd noticed it ${s(x.noticedS)} later (\`Received Resiliency UPDATED event\`) and ` +
      (x.loadedS === null
        ? "**never loaded a policy again**"
        : `loaded the new policy ${s(x.loadedS)} after the change`) +
      ". " +
      (x.fatal ? `daprd logged **\`fatal: ${x.fatal}\`** and exited. ` : "") +
      `The app saw ${x.errorsBeforeChange} failed calls between the fault and the change; its first failed call came ` +
      `${s(x.firstAppErrorS)} into the fault${x.firstAppError ? `: ${q(x.firstAppError.slice(0, 200))}` : ""}. ` +
      `The new breaker (failFastCB) opened ${x.newBreakerOpens} times. Cell: ${x.cell.verdict}; audit ${x.cell.clean ? "clean" : "NOT CLEAN"}.`,
    ...(x.daprdAfter.length
      ? ["", "daprd's warnings and worse after the change:", "", ...x.daprdAfter.map((l) => `- ${q(l)}`)]
      : []),
    "",
  ];
  return [
    "## Hot reload (--reload)",
    "",
    `Two cells on **${r.from}** under \`${r.fault}\`, their resiliency.yaml replaced by **${r.to}**'s: once while all is`,
    "well, once while a call waits in the seed's retries.",
    "",
    ...one("Changed before the fault (no call waiting)", r.idle),
    ...one("Changed during the fault (a call waiting in the retries)", r.waiting),
  ];
}
