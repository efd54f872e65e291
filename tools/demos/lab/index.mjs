// @ts-check
// `npx zx tools/demo.mjs lab`: what each resiliency policy does under each way
// a state store fails. One folder, one job per file:
//   args.mjs      the command line          policies.mjs  the policies and their checks
//   cell.mjs      one cell, run for real    measure.mjs   its numbers and verdict
//   reload.mjs    --reload                  report.mjs    lab.md;  svg.mjs  lab.svg
// The faults and the proxy are the stack's (stack/faults.mjs, stack/toxiproxy.mjs).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { say, heading, sendHumanOutputTo } from "../../cli/console.mjs";
import { printEvent } from "../../cli/stream.mjs";
import { ensureDaprAndApps } from "../../stack/prerequisites.mjs";
import { startToxiproxy } from "../../stack/toxiproxy.mjs";
import { fault as faultNamed } from "../../stack/faults.mjs";
import { command } from "./args.mjs";
import { checkPolicy } from "./policies.mjs";
import { runCell } from "./cell.mjs";
import { measureCell } from "./measure.mjs";
import { readReload, runReloadCells } from "./reload.mjs";
import { markdown } from "./report.mjs";
import { renderSvg } from "./svg.mjs";

/** @typedef {import("./measure.mjs").CellResult} CellResult */

/**
 * Runs `jobs` with at most `n` at a time, results in order.
 * @template T
 * @param {(() => Promise<T>)[]} jobs
 * @param {number} n
 * @returns {Promise<T[]>}
 */
async function pool(jobs, n) {
  /** @type {T[]} */
  const out = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await /** @type {() => Promise<T>} */ (jobs[i])();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
  return out;
}

/** @param {CellResult} r */
const oneLine = (r) =>
  r.error
    ? `did not run: ${r.error}`
    : `${r.verdict} — stall ${r.stallS ?? "?"} s, ${r.appErrors} app errors, ${r.retries} daprd retries, ` +
      `breaker ${r.firstOpenS === null ? "stayed closed" : `open at ${r.firstOpenS} s`}, load ×${r.loadRatio ?? "?"}, ` +
      `next order ${r.recoveryS === null ? "none" : `${r.recoveryS} s`} after; audit ${r.clean ? "clean" : "NOT CLEAN"}`;

/**
 * `demo.mjs lab`.
 * @param {import("./args.mjs").LabArgs} a  from args.mjs
 * @returns {Promise<number>} the exit code
 */
export async function runLab(a) {
  if (a.json) sendHumanOutputTo(process.stderr);
  if (a.render) return renderFromRuns(a.render, a);
  // Every policy checked before anything starts: a mistake is exit 2 with its file and line.
  const checked = new Map([...a.policies, ...a.traps].map((p) => [p.name, checkPolicy(p).policy]));
  await ensureDaprAndApps();
  const loadBefore = os.loadavg().map((l) => +l.toFixed(2));
  const started = Date.now();
  const toxiproxy = await startToxiproxy();
  const cells = [
    ...a.policies.flatMap((policy) => a.faults.map((fault) => ({ policy, fault }))),
    ...a.traps.map((policy) => ({ policy, fault: faultNamed(policy.trap?.fault ?? "") })),
  ];
  heading(
    `The lab: ${a.policies.length} policies × ${a.faults.length} faults${a.traps.length ? ` + ${a.traps.length} trap cells` : ""} = ${cells.length} cells, ` +
      `${a.faultMs / 1000} s faults, ${a.parallel} at a time (${a.appLabel})`,
  );
  let done = 0;
  const runs = await pool(
    cells.map(({ policy, fault }) => async () => {
      const label = `${policy.name} × ${fault.name}`;
      say("lab", `${label}: starting`);
      const run = await runCell({
        policy,
        fault,
        faultMs: a.faultMs,
        baselineMs: 3_000,
        recoveryCapMs: 20_000,
        toxiproxy,
        command: a.command,
        breakerName: checked.get(policy.name)?.breakerName,
        onEvent: a.verbose ? (e) => printEvent({ ...e, label }, { verbose: true }) : undefined,
      });
      say("lab", `[${++done}/${cells.length}] ${label}: ${oneLine(measureCell(run))}`);
      return run;
    }),
    a.parallel,
  );
  if (a.reload) say("lab", "--reload: seed → fail-fast, before a refuse fault and during one");
  const reloadRun = a.reload
    ? await runReloadCells({ toxiproxy, command: a.command, faultMs: Math.max(a.faultMs, 20_000) })
    : undefined;
  await toxiproxy.stop();
  /** @type {LabMeta} */
  const meta = {
    app: a.appLabel,
    faultS: a.faultMs / 1000,
    parallel: a.parallel,
    seconds: Math.round((Date.now() - started) / 1000),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? "?",
      loadBefore,
      loadAfter: os.loadavg().map((l) => +l.toFixed(2)),
    },
    date: new Date().toISOString(),
    policies: a.policies.map((p) => ({ name: p.name, about: p.about, own: !!p.own, checked: checked.get(p.name) })),
    faults: a.faults.map((f) => ({ name: f.name, does: f.does, standsFor: f.standsFor })),
    traps: a.traps.map((p) => ({
      name: p.name,
      about: p.about,
      issue: p.trap?.issue ?? "",
      fault: p.trap?.fault ?? "",
    })),
  };
  fs.mkdirSync(a.out, { recursive: true });
  // What was recorded, so that the report can be written again (--render) after its code changes.
  const runsFile = path.join(a.out, "lab-runs.json");
  fs.writeFileSync(
    runsFile,
    JSON.stringify({
      meta,
      runs: runs.map(prune),
      reloadRun: reloadRun && { idle: prune(reloadRun.idle), waiting: prune(reloadRun.waiting) },
    }),
  );
  return writeReports(meta, runs, reloadRun, a);
}

/**
 * A run's events without what no measurement reads (daprd's raw lines and fields), to keep lab-runs.json small.
 * @param {import("./cell.mjs").CellRun} run
 */
function prune(run) {
  return {
    ...run,
    events: run.events
      .filter((e) => e.source === "app" || e.level !== "debug")
      .map((e) =>
        e.source === "daprd"
          ? { source: e.source, at: e.at, level: e.level, msg: e.msg }
          : { source: e.source, stream: e.stream, at: e.at, order: e.order, line: e.line?.slice(0, 240) },
      ),
  };
}

/**
 * Measures the runs and writes lab.json, lab.md and lab.svg.
 * @param {LabMeta} meta
 * @param {import("./cell.mjs").CellRun[]} runs
 * @param {{ idle: import("./cell.mjs").CellRun, waiting: import("./cell.mjs").CellRun } | undefined} reloadRun
 * @param {{ out: string, json: boolean }} a
 * @returns {number} the exit code: 1 when a cell did not run or its audit was not clean
 */
function writeReports(meta, runs, reloadRun, a) {
  /** @type {LabResult} */
  const result = { ...meta, cells: runs.map((r) => measureCell(r)), reload: reloadRun && readReload(reloadRun) };
  fs.mkdirSync(a.out, { recursive: true });
  fs.writeFileSync(path.join(a.out, "lab.json"), `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(a.out, "lab.md"), markdown(result));
  fs.writeFileSync(path.join(a.out, "lab.svg"), renderSvg(result));
  say("lab", `wrote ${["lab.md", "lab.svg", "lab.json"].map((f) => path.join(a.out, f)).join(", ")}`);
  if (a.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  const bad = result.cells.filter((r) => r.error || !r.clean);
  for (const r of bad)
    process.stderr.write(`✖ ${r.policy} × ${r.fault}: ${r.error ? `did not run: ${r.error}` : r.verdict}\n`);
  return bad.length ? 1 : 0;
}

/**
 * --render FILE: the reports again from a lab-runs.json, measuring nothing.
 * @param {string} file
 * @param {{ out: string, json: boolean }} a
 */
export function renderFromRuns(file, a) {
  let saved;
  try {
    saved = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw command.fail(`--render ${file}: ${err instanceof Error ? err.message : err}`);
  }
  if (!saved?.meta || !Array.isArray(saved.runs))
    throw command.fail(`--render ${file}: not a lab-runs.json the lab wrote.`);
  return writeReports(saved.meta, saved.runs, saved.reloadRun, a);
}

/** @typedef {{ app: string, faultS: number, parallel: number, seconds: number, machine: { cpus: number, model: string, loadBefore: number[], loadAfter: number[] }, date: string, policies: { name: string, about: string, own: boolean, checked: import("../../stack/resources.mjs").Policy | undefined }[], faults: { name: string, does: string, standsFor: string }[], traps?: { name: string, about: string, issue: string, fault: string }[] }} LabMeta */
/** @typedef {LabMeta & { cells: CellResult[], reload: import("./reload.mjs").ReloadResult | undefined }} LabResult */
