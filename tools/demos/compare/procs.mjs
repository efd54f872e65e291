// @ts-check
// What the processes of a run cost, read from /proc: CPU time (utime + stime,
// all threads), resident memory, CPU affinity; the machine and what else on
// it was busy; and the pinning of daprd, Redis and the load to the two cores.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { $, which } from "zx";
import { ROOT, DAPR_BIN } from "../../stack/paths.mjs";
import { round3 } from "../../bench/lib/stats.mjs";
import { lockPackages } from "./code.mjs";
import { procStatus, rssMB } from "../../stack/procfs.mjs";

/** @typedef {{pid: number, ppid: number, comm: string, ticks: number}} ProcStat */
/** @typedef {{cpus: number, model: string, memMB: number, clockTicks: number, loadBefore: number[], loadAfter?: number[], others?: Busy[]}} Machine */
/** @typedef {{pid: number, comm: string, cmd: string, cpuSeconds: number, percentOfOneCore: number}} Busy */
/** @typedef {{enabled: boolean, note: string, server: string, client: string, wrap: (cmd: string[]) => string[], restore: () => Promise<void>}} Pinning */

let clockTicks = 100;
/** Clock ticks a second, from `getconf CLK_TCK` (100 on Linux almost always). */
export async function loadClockTicks() {
  const r = await $`getconf CLK_TCK`.nothrow().quiet();
  const n = Number(r.stdout.trim());
  if (r.exitCode === 0 && n > 0) clockTicks = n;
  return clockTicks;
}

/** @param {number | undefined} pid @param {string} [file] @returns {ProcStat | undefined} */
export function procStat(pid, file = `/proc/${pid}/stat`) {
  if (!pid) return undefined;
  try {
    const s = fs.readFileSync(file, "utf8");
    const close = s.lastIndexOf(")");
    const f = s.slice(close + 2).split(" "); // f[0] is field 3 (state)
    return { pid, ppid: Number(f[1]), comm: s.slice(s.indexOf("(") + 1, close), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined; // gone already
  }
}

/** CPU seconds a process has used so far (all its threads). @param {number | undefined} pid */
export const cpuSeconds = (pid) => {
  const s = procStat(pid);
  return s ? s.ticks / clockTicks : NaN;
};

/** CPU seconds of a process's main thread (for Node, the JavaScript thread). @param {number | undefined} pid */
export const mainThreadCpuSeconds = (pid) => {
  const s = procStat(pid, `/proc/${pid}/task/${pid}/stat`);
  return s ? s.ticks / clockTicks : NaN;
};

export { procStatus, rssMB };

/** Every process's CPU ticks now. @returns {Map<number, ProcStat>} */
export function snapshotAll() {
  const out = new Map();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const s = procStat(Number(d));
    if (s) out.set(s.pid, s);
  }
  return out;
}

/**
 * Other processes' CPU over a run: /proc sampled every few seconds, so a
 * process that lived only part of the run is counted for what it used while
 * it was seen (one that began and ended between two samples is missed, but
 * shows in the machine-wide busy time of each measurement).
 */
export class BusyTracker {
  /** @param {Set<number>} ours pids this run started (and this process) */
  constructor(ours, everyMs = 2000) {
    this.ours = ours;
    /** @type {Map<number, {comm: string, ppid: number, first: number, last: number, cmd: string}>} */
    this.seen = new Map();
    this.started = performance.now();
    this.baseline = true;
    this.sample();
    this.baseline = false;
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample() {
    for (const [pid, s] of snapshotAll()) {
      const known = this.seen.get(pid);
      if (known && known.comm === s.comm) known.last = s.ticks;
      else {
        let cmd = "";
        try {
          cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim().slice(0, 90);
        } catch {
          /* gone */
        }
        // Seen at the first sample: count from here; born during the run: count all of it.
        this.seen.set(pid, { comm: s.comm, cmd, first: this.baseline ? s.ticks : 0, last: s.ticks, ppid: s.ppid });
      }
    }
  }

  /** The busiest processes that were not ours. @returns {Busy[]} */
  stop(top = 8) {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.started) / 1000;
    const rows = [];
    for (const [pid, p] of this.seen) {
      if (this.ours.has(pid) || this.ours.has(p.ppid)) continue;
      const used = (p.last - p.first) / clockTicks;
      if (used > 0)
        rows.push({
          pid,
          comm: p.comm,
          cmd: p.cmd,
          cpuSeconds: round3(used),
          percentOfOneCore: round3((used / seconds) * 100),
        });
    }
    return rows.sort((a, b) => b.cpuSeconds - a.cpuSeconds).slice(0, top);
  }
}

/** CPU seconds the whole machine has been busy (all cores; /proc/stat minus idle and iowait). */
export function machineBusySeconds() {
  const f = (fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / clockTicks;
}

/** @returns {Promise<Machine>} */
export async function machine() {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  return {
    cpus: (cpuinfo.match(/^processor\s*:/gm) ?? []).length,
    model: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "?",
    memMB: Math.round(os.totalmem() / 2 ** 20),
    clockTicks: await loadClockTicks(),
    loadBefore: os.loadavg().map((l) => +l.toFixed(2)),
  };
}

export async function versions() {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const daprd = await $`${path.join(DAPR_BIN, "daprd")} --version`.nothrow().quiet();
  const redis = await $`redis-server --version`.nothrow().quiet();
  const pkg = (/** @type {string} */ app, /** @type {string} */ name) =>
    lockPackages(lock, app)
      .find((p) => p.startsWith(`${name}@`))
      ?.split("@")
      .at(-1);
  return {
    node: process.version,
    daprd: daprd.stdout.trim(),
    daprSdk: pkg("apps/sdk-app", "@dapr/dapr"),
    grpcJs: pkg("apps/grpc-app", "@grpc/grpc-js") ?? pkg("apps/sdk-app", "@grpc/grpc-js"),
    redisServer: /v=(\S+)/.exec(redis.stdout)?.[1],
    nodeRedis: lock.packages["node_modules/redis"]?.version,
  };
}

/**
 * Two cores: daprd and Redis share CPU 0 (the server side gets one core), the load
 * (driver or app) has CPU 1. This process pins itself to CPU 0 so redis-server and
 * daprd inherit it from their first instruction (and daprd's Go runtime sizes
 * GOMAXPROCS, hence the state store's default pool, from it); loads go through `taskset -c 1`.
 * @returns {Promise<Pinning>}
 */
export async function pinCpus() {
  const none = {
    enabled: false,
    server: "any",
    client: "any",
    wrap: (/** @type {string[]} */ c) => c,
    restore: async () => undefined,
  };
  if (os.availableParallelism() < 2) return { ...none, note: "one CPU only: nothing pinned" };
  if (!(await which("taskset", { nothrow: true })))
    return { ...none, note: "taskset not found (util-linux): nothing pinned, every process shared every core" };
  const before = procStatus(process.pid, "Cpus_allowed_list");
  const r = await $`taskset -apc 0 ${process.pid}`.nothrow().quiet();
  if (r.exitCode !== 0) return { ...none, note: `taskset failed (${r.stderr.trim()}): nothing pinned` };
  return {
    enabled: true,
    server: "0",
    client: "1",
    note: "daprd, redis-server and this tool on CPU 0; the load (bench driver / app) on CPU 1",
    wrap: (cmd) => ["taskset", "-c", "1", ...cmd],
    restore: async () => void (await $`taskset -apc ${before} ${process.pid}`.nothrow().quiet()),
  };
}

/**
 * Seconds a process's threads have waited, runnable, for a CPU (sum over
 * /proc/<pid>/task/<tid>/schedstat, field 2): time lost to whoever else had the core.
 * @param {number | undefined} pid
 */
export function runWaitSeconds(pid) {
  if (!pid) return NaN;
  let ns = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[1]);
      } catch {
        /* thread gone */
      }
    }
  } catch {
    return NaN;
  }
  return ns / 1e9;
}
