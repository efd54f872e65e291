// `compare`: the three client styles side by side on this machine. Steady
// state (the apps' own OrderStore code driven by tools/bench/driver.mjs, plus
// the same workload straight to Redis), start-up and memory of the real apps,
// the same Redis outage for each, and how much code and how many npm packages
// each style costs. Writes reports/compare.{md,svg,json}; --json prints the
// result on stdout for machines.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { $, which } from "zx";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ROOT, RESOURCES, DAPR_BIN, VARIANTS } from "./paths.mjs";
import { ToolError, UsageError } from "./errors.mjs";
import { say, heading, write, sendHumanOutputTo } from "./console.mjs";
import { onCleanup } from "./cleanup.mjs";
import { endProcess } from "./sidecar.mjs";
import { startRedis, startApp } from "./isolated-stack.mjs";
import { auditOrders } from "./recorder.mjs";
import { checkResources, writeRunResources } from "./resources.mjs";
import { ensureDapr } from "./dapr-install.mjs";
import { ensureControlPlane } from "./control-plane.mjs";
import { ensureBuilt } from "./prerequisites.mjs";
import { spread, round3 } from "../bench/stats.mjs";

export { percentile, summarize, spread } from "../bench/stats.mjs";

export const USAGE = `Usage: npx zx tools/demo.mjs compare [--quick] [--json] [--variants sdk,http,grpc] [--out DIR]
  --quick     small samples, one shortened outage (about a minute)
  --json      print the result as JSON on stdout (progress goes to stderr)
  --variants  which apps to compare (default: all); the direct-Redis baseline always runs
  --out       where compare.md, compare.svg and compare.json go (default: reports/)`;

const DRIVER = path.join(ROOT, "tools/bench/driver.mjs");
const FAILURE_RE = /Error processing operation component\[statestore\] output\. Retrying/;
const TRANSITION_RE = /Circuit breaker "([^"]+)" changed state from (\S+) to (\S+)/;

// How much of everything: the full run stays under 10 minutes, --quick under 2.
const PLANS = {
  full: {
    reps: 5,
    seqOps: 400,
    concOps: 80,
    concurrency: 16,
    warmupMs: 1500,
    startupReps: 3,
    outage: "all",
    ordersBefore: 5,
    afterOpenMs: 3_000,
    capMs: 45_000,
    afterRecoveryMs: 4_000,
  },
  quick: {
    reps: 2,
    seqOps: 100,
    concOps: 15,
    concurrency: 16,
    warmupMs: 300,
    startupReps: 1,
    outage: "first",
    ordersBefore: 3,
    afterOpenMs: 1_500,
    capMs: 20_000,
    afterRecoveryMs: 2_000,
  },
};

/** Flags → options; anything else is a UsageError. */
export function parseCompareArgs(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        variants: { type: "string", default: Object.keys(VARIANTS).join(",") },
        out: { type: "string", default: path.join(ROOT, "reports") },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message, USAGE);
  }
  const variants = [
    ...new Set(
      values.variants
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = variants.filter((v) => !VARIANTS[v]);
  if (unknown.length || !variants.length) {
    throw new UsageError(
      `--variants: ${unknown.length ? `unknown "${unknown.join(", ")}"` : "none given"}.`,
      `${USAGE}\nVariants: ${Object.keys(VARIANTS).join(", ")}`,
    );
  }
  return { ...values, variants, out: path.resolve(values.out) };
}

// ---- pure helpers (unit-tested) ------------------------------------------

/** The breaker state and resiliency counters in one scrape of daprd's /metrics. */
export function parseResiliencyMetrics(text, target = "statestore") {
  const out = { cb: undefined, retries: 0, opens: 0 };
  for (const line of text.split("\n")) {
    const m = /^(dapr_resiliency_\w+)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m || !m[2].toLowerCase().includes(target)) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const value = Number(m[3]);
    if (m[1] === "dapr_resiliency_cb_state" && value === 1) out.cb = labels.status;
    if (m[1] === "dapr_resiliency_activations_total" && labels.policy === "retry") out.retries += value;
    if (m[1] === "dapr_resiliency_activations_total" && labels.policy === "circuitbreaker" && labels.status === "open")
      out.opens += value;
  }
  return out;
}

/** Counts per 1-second bucket of event times (seconds), from `from` to `to`. */
export function perSecond(times, from, to) {
  const buckets = Array.from({ length: Math.max(0, Math.ceil(to - from)) }, (_, i) => ({ t: from + i, n: 0 }));
  for (const t of times) {
    const i = Math.floor(t - from);
    if (i >= 0 && i < buckets.length) buckets[i].n++;
  }
  return buckets;
}

/** Lines of a TypeScript file, and those that are neither blank nor only a comment. */
export function countLines(text) {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let code = 0;
  let inBlock = false;
  for (const raw of lines) {
    const l = raw.trim();
    if (inBlock) {
      if (l.includes("*/")) inBlock = false;
      continue;
    }
    if (!l || l.startsWith("//")) continue;
    if (l.startsWith("/*")) {
      inBlock = !l.includes("*/");
      continue;
    }
    code++;
  }
  return { lines: lines.length, code };
}

/**
 * The npm packages an app pulls in: package-lock.json's tree walked from the
 * app's dependencies the way Node resolves them (nearest node_modules up),
 * workspace links left out. Returns distinct name@version strings.
 */
export function lockPackages(lock, appDir) {
  const pkgs = lock.packages;
  const resolve = (from, name) => {
    for (let base = from; ;) {
      const at = `${base ? `${base}/` : ""}node_modules/${name}`;
      if (pkgs[at]) return at;
      if (!base) return undefined;
      const i = base.lastIndexOf("/node_modules/");
      base = i >= 0 ? base.slice(0, i) : "";
    }
  };
  const seen = new Map();
  const visit = (from) => {
    const p = pkgs[from] ?? {};
    const optionalPeers = Object.keys(p.peerDependenciesMeta ?? {}).filter((n) => p.peerDependenciesMeta[n]?.optional);
    const names = [
      ...Object.keys(p.dependencies ?? {}),
      ...Object.keys(p.optionalDependencies ?? {}),
      ...Object.keys(p.peerDependencies ?? {}).filter((n) => !optionalPeers.includes(n)),
    ];
    for (const name of names) {
      const at = resolve(from, name);
      if (!at || seen.has(at) || pkgs[at].link) continue; // not installed here (optional), already walked, or a workspace
      seen.set(at, `${name}@${pkgs[at].version}`);
      visit(at);
    }
  };
  visit(appDir);
  return [...new Set(seen.values())].sort();
}

/** A Markdown table; numbers are already formatted by the caller. */
export function mdTable(header, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "0");
const CB_COLORS = { closed: "#43a047", "half-open": "#fb8c00", open: "#e53935" };
const VARIANT_COLORS = { redis: "#757575", sdk: "#1e88e5", http: "#8e24aa", grpc: "#00897b" };

/** Latency boxes per variant and level (log scale), then one outage timeline per variant. Plain SVG text. */
export function renderSvg(result) {
  const W = 960;
  const L = 190;
  const R = 150;
  const plotW = W - L - R;
  const parts = [];
  let y = 30;
  const text = (x, yy, s, attrs = "") => parts.push(`<text x="${f1(x)}" y="${f1(yy)}" ${attrs}>${esc(s)}</text>`);
  text(
    10,
    y,
    `State call latency, ms (log scale), all repetitions pooled: box p25–p75, whiskers p5–p99, bar = median; ${result.quick ? "--quick" : "full"} run ${result.date}`,
    'font-weight="bold"',
  );

  const rows = [];
  for (const level of [0, 1]) {
    for (const [name, s] of Object.entries(result.steady ?? {})) {
      const l = s.levels?.[level];
      if (l)
        rows.push({
          name,
          label: `${name === "redis" ? "Redis direct" : (VARIANTS[name]?.project ?? name)} · ${l.concurrency} in flight`,
          q: l.pooled,
        });
    }
  }
  const values = rows.flatMap((r) => [r.q.p5, r.q.p99]).filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 1)));
  const x = (ms) => L + ((Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const top = y + 15;
  const rowH = 22;
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const m of [1, 2, 5]) {
      if (d * m > hi * 1.0001) break;
      parts.push(
        `<line x1="${f1(x(d * m))}" y1="${top}" x2="${f1(x(d * m))}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
      );
      text(x(d * m), top + rows.length * rowH + 14, `${+(d * m).toPrecision(3)}`, 'text-anchor="middle" fill="#555"');
    }
  }
  rows.forEach((r, i) => {
    const cy = top + i * rowH + rowH / 2;
    const c = VARIANT_COLORS[r.name] ?? "#333";
    text(L - 8, cy + 4, r.label, 'text-anchor="end"');
    parts.push(`<line x1="${f1(x(r.q.p5))}" y1="${f1(cy)}" x2="${f1(x(r.q.p99))}" y2="${f1(cy)}" stroke="${c}"/>`);
    parts.push(
      `<rect x="${f1(x(r.q.p25))}" y="${f1(cy - 7)}" width="${f1(Math.max(1, x(r.q.p75) - x(r.q.p25)))}" height="14" fill="${c}" fill-opacity="0.35" stroke="${c}"/>`,
    );
    parts.push(
      `<line x1="${f1(x(r.q.p50))}" y1="${f1(cy - 8)}" x2="${f1(x(r.q.p50))}" y2="${f1(cy + 8)}" stroke="${c}" stroke-width="3"/>`,
    );
    text(W - R + 8, cy + 4, `p50 ${+r.q.p50.toPrecision(2)} · p99 ${+r.q.p99.toPrecision(2)} ms`, 'fill="#333"');
  });
  y = top + rows.length * rowH + 40;

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
    const tx = (t) => L + ((t - t0) / (t1 - t0 || 1)) * plotW;
    const maxRate = Math.max(1, ...runs.flatMap(([, r]) => r.ordersPerSecond.map((b) => b.n)));
    const rowH2 = 84;
    runs.forEach(([name, r], i) => {
      const base = y + i * rowH2 + 70;
      text(L - 8, base - 20, VARIANTS[name]?.project ?? name, 'text-anchor="end" font-weight="bold"');
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
      const strip = (spans, yy, name) => {
        const merged = [];
        for (const sp of spans) {
          if (merged.length && merged.at(-1).state === sp.state) merged.at(-1).to = sp.to;
          else merged.push({ ...sp });
        }
        for (const sp of merged)
          parts.push(
            `<rect x="${f1(tx(sp.from))}" y="${yy}" width="${f1(Math.max(0.5, tx(sp.to) - tx(sp.from)))}" height="7" fill="${CB_COLORS[sp.state] ?? "#bdbdbd"}"/>`,
          );
        text(W - R + 8, yy + 7, name, 'fill="#555" font-size="10"');
      };
      const logSpans = [{ t: -r.leadS, to: "closed" }, ...r.transitions].map((tr, j, all) => ({
        from: tr.t,
        to: all[j + 1]?.t ?? r.endS,
        state: tr.to,
      }));
      strip(logSpans, base + 3, "breaker (log)");
      strip(
        r.metrics.map((s, j) => ({ from: s.t, to: r.metrics[j + 1]?.t ?? s.t + 1, state: s.cb })),
        base + 12,
        "cb_state (metrics)",
      );
      // Labels above the bars, on two heights so neighbours do not overwrite each other.
      const mark = (t, label, color, row) => {
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

// ---- machine, pinning, processes -----------------------------------------

function procStatus(pid, field) {
  try {
    return new RegExp(`^${field}:\\s*(.+)$`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1].trim();
  } catch {
    return undefined; // gone already
  }
}
const rssMB = (pid) => {
  const kb = parseInt(procStatus(pid, "VmRSS") ?? "", 10);
  return Number.isFinite(kb) ? round3(kb / 1024) : undefined;
};

/**
 * What else was using the CPUs: top's second sample (the first averages over each
 * process's lifetime), processes above 0 % other than this one; ps when there is no top.
 */
export async function busiest() {
  const top = await $`top -b -n 2 -d 1 -o %CPU -w 120`.nothrow().quiet();
  const sample =
    top.exitCode === 0
      ? top.stdout
          .split(/^(?=top - )/m)
          .at(-1)
          .trim()
          .split("\n")
      : [];
  const table = sample.findIndex((l) => /^\s*PID\s/.test(l));
  if (table < 0)
    return (await $`ps -eo pid,pcpu,rss,etime,comm --sort=-pcpu`.nothrow().quiet()).stdout
      .trim()
      .split("\n")
      .slice(0, 8);
  const rows = sample.slice(table + 1).filter((l) => {
    const [pid, , , , , , , , cpu] = l.trim().split(/\s+/);
    return Number(cpu) > 0 && Number(pid) !== process.pid;
  });
  return [sample[0], sample.find((l) => l.startsWith("%Cpu")), sample[table], ...rows.slice(0, 8)].filter(Boolean);
}

async function machine() {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  return {
    cpus: (cpuinfo.match(/^processor\s*:/gm) ?? []).length,
    model: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model,
    memMB: Math.round(os.totalmem() / 2 ** 20),
    loadBefore: os.loadavg().map((l) => +l.toFixed(2)),
    topBefore: await busiest(),
  };
}

async function versions() {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const daprd = await $`${path.join(DAPR_BIN, "daprd")} --version`.nothrow().quiet();
  const redis = await $`redis-server --version`.nothrow().quiet();
  return {
    node: process.version,
    daprd: daprd.stdout.trim(),
    daprSdk: lockPackages(lock, "apps/sdk-app")
      .find((p) => p.startsWith("@dapr/dapr@"))
      ?.split("@")
      .at(-1),
    redisServer: /v=(\S+)/.exec(redis.stdout)?.[1],
    nodeRedis: lock.packages["node_modules/redis"]?.version,
  };
}

/**
 * Two cores: Redis and daprd on CPU 0, the load (driver or app) on CPU 1. This
 * process pins itself to CPU 0 so redis-server and daprd inherit it from
 * their first instruction; the load is started through `taskset -c 1`.
 */
async function pinCpus() {
  const none = { enabled: false, wrap: (cmd) => cmd, restore: async () => undefined };
  if (os.availableParallelism() < 2) return { ...none, note: "one CPU only: nothing pinned" };
  if (!(await which("taskset", { nothrow: true })))
    return { ...none, note: "taskset not found (util-linux): nothing pinned, every process shared every core" };
  const before = procStatus(process.pid, "Cpus_allowed_list");
  const r = await $`taskset -apc 0 ${process.pid}`.nothrow().quiet();
  if (r.exitCode !== 0) return { ...none, note: `taskset failed (${r.stderr.trim()}): nothing pinned` };
  return {
    enabled: true,
    note: "redis-server, daprd and this tool on CPU 0; the bench driver / app on CPU 1",
    wrap: (cmd) => ["taskset", "-c", "1", ...cmd],
    restore: async () => void (await $`taskset -apc ${before} ${process.pid}`.nothrow().quiet()),
  };
}

/** A resiliency.yaml that also scopes the bench app ids; --quick shortens the policy so the breaker opens in seconds. */
function resiliencyYaml(appIds, shorten) {
  const doc = parseYaml(fs.readFileSync(path.join(RESOURCES, "resiliency.yaml"), "utf8"));
  if (Array.isArray(doc.scopes)) doc.scopes = [...new Set([...doc.scopes, ...appIds])]; // no scopes = every app already
  if (shorten) {
    const out = doc.spec.targets.components.statestore.outbound;
    doc.spec.policies.retries[out.retry].duration = "1s";
    Object.assign(doc.spec.policies.circuitBreakers[out.circuitBreaker], {
      trip: "consecutiveFailures >= 2",
      timeout: "3s",
    });
  }
  return stringifyYaml(doc);
}

async function untilExit(promise, ms, what) {
  const r = await Promise.race([promise, sleep(ms, "timeout", { ref: false })]); // unref'd: a pending guard must not keep the process alive
  if (r === "timeout")
    throw new ToolError(
      `${what} did not finish within ${ms / 1000} s.`,
      "Run it again with --quick, or look for something hogging the CPU (top).",
    );
  return r;
}

// ---- the measurements ------------------------------------------------------

function driverArgs(plan, store) {
  return [
    DRIVER,
    "--store",
    store,
    "--reps",
    String(plan.reps),
    "--seq-ops",
    String(plan.seqOps),
    "--conc-ops",
    String(plan.concOps),
    "--concurrency",
    String(plan.concurrency),
    "--warmup-ms",
    String(plan.warmupMs),
  ];
}

/** Turns the driver's per-repetition numbers into medians with their min–max. */
function steadySummary(bench, cpus) {
  return {
    cpus,
    saveP50: round3(bench.saveP50),
    getP50: round3(bench.getP50),
    levels: bench.levels.map((l) => ({
      concurrency: l.concurrency,
      callsPerRep: l.reps[0]?.calls,
      callsPerSec: spread(l.reps.map((r) => r.callsPerSec)),
      p50: spread(l.reps.map((r) => r.p50)),
      p90: spread(l.reps.map((r) => r.p90)),
      p99: spread(l.reps.map((r) => r.p99)),
      pooled: l.pooled,
      reps: l.reps,
    })),
  };
}

async function steadyBaseline(ctx) {
  const cmd = ctx.pin.wrap([
    process.execPath,
    ...driverArgs(ctx.plan, "redis"),
    "--redis-port",
    String(ctx.redis.port),
    "--key-prefix",
    "bench-redis",
  ]);
  const child = spawn(cmd[0], cmd.slice(1), { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const removeCleanup = onCleanup(() => endProcess(child));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  try {
    const exited = new Promise((r) => child.once("exit", (code) => r(code)));
    await sleep(300); // taskset has exec'd node by now
    const cpus = {
      driver: procStatus(child.pid, "Cpus_allowed_list"),
      redis: procStatus(ctx.redis.pid(), "Cpus_allowed_list"),
    };
    const code = await untilExit(exited, ctx.plan.driverTimeoutMs, "The Redis baseline");
    const line = stdout.split("\n").find((l) => l.startsWith("BENCH "));
    if (code !== 0 || !line)
      throw new ToolError(
        `The Redis baseline driver failed (exit ${code}):\n${stderr.trim().split("\n").slice(-5).join("\n")}`,
      );
    return steadySummary(JSON.parse(line.slice(6)), cpus);
  } finally {
    removeCleanup();
    await endProcess(child);
  }
}

async function steadyVariant(ctx, variant) {
  const app = await startApp({
    redis: ctx.redis,
    appId: `bench-${variant}`,
    resources: ctx.resources,
    command: ctx.pin.wrap([process.execPath, ...driverArgs(ctx.plan, variant)]),
  });
  try {
    await sleep(300);
    const cpus = {
      driver: procStatus(app.sidecar.app.pid, "Cpus_allowed_list"),
      daprd: procStatus(app.sidecar.daprd.pid, "Cpus_allowed_list"),
      redis: procStatus(ctx.redis.pid(), "Cpus_allowed_list"),
    };
    const { code } = await untilExit(app.sidecar.appExited, ctx.plan.driverTimeoutMs, `The ${variant} bench driver`);
    const line = app.recorder.appStdout().find((l) => l.startsWith("BENCH "));
    if (code !== 0 || !line) {
      const err = app.recorder.events.filter((e) => e.source === "app" && e.stream === "stderr").map((e) => e.line);
      throw new ToolError(`The ${variant} bench driver failed (exit ${code}):\n${err.slice(-5).join("\n")}`);
    }
    return steadySummary(JSON.parse(line.slice(6)), cpus);
  } finally {
    await app.stop();
  }
}

/** Launch → first `Saving Order`, a few times; then one longer run for the resident memory. */
async function startupVariant(ctx, variant) {
  const runs = [];
  const appCmd = (...args) => ctx.pin.wrap([process.execPath, VARIANTS[variant].main, ...args]);
  for (let i = 0; i < ctx.plan.startupReps; i++) {
    const app = await startApp({
      redis: ctx.redis,
      appId: `startup-${variant}`,
      resources: ctx.resources,
      command: appCmd("--count", "3", "--interval-ms", "0"),
    });
    try {
      const { sidecar, recorder } = app;
      const first = await recorder.waitFor((e) => e.order?.kind === "saving", { timeoutMs: 30_000 });
      if (!first) throw new ToolError(`${variant}: no order saved within 30 s of start-up.`);
      const at = recorder.t0 + first.at * 1000;
      runs.push({
        fromDaprdMs: at - sidecar.startedAt,
        fromAppMs: at - sidecar.appStartedAt,
        daprdReadyMs: sidecar.readyAt - sidecar.startedAt,
      });
      await untilExit(sidecar.appExited, 30_000, `${variant} (--count 3)`);
    } finally {
      await app.stop();
    }
  }
  // Resident memory once the client is warm: read at order 10 of 12, while both processes still run.
  const app = await startApp({
    redis: ctx.redis,
    appId: `startup-${variant}`,
    resources: ctx.resources,
    command: appCmd("--count", "12", "--interval-ms", "100"),
  });
  let rss;
  try {
    const tenth = await app.recorder.waitFor((e) => e.order?.kind === "saving" && e.order.id === 10, {
      timeoutMs: 30_000,
    });
    if (tenth) rss = { appMB: rssMB(app.sidecar.app.pid), daprdMB: rssMB(app.sidecar.daprd.pid) };
    await untilExit(app.sidecar.appExited, 30_000, `${variant} (--count 12)`);
  } finally {
    await app.stop();
  }
  return {
    runs,
    fromDaprdMs: spread(runs.map((r) => r.fromDaprdMs)),
    fromAppMs: spread(runs.map((r) => r.fromAppMs)),
    daprdReadyMs: spread(runs.map((r) => r.daprdReadyMs)),
    appRssMB: rss?.appMB,
    daprdRssMB: rss?.daprdMB,
  };
}

/**
 * The Redis answering on our port: its data dir and DBSIZE, once it has loaded its
 * append-only file (it answers LOADING until then). The dir tells ours from a stranger's.
 */
async function redisState(redis) {
  for (let i = 0; ; i++) {
    let client;
    try {
      client = await redis.client();
      const keys = await client.dbSize();
      return { keys, dir: (await client.configGet("dir")).dir };
    } catch (err) {
      if (i >= 50)
        throw new ToolError(
          `Redis on port ${redis.port} does not answer: ${err.message}`,
          `See its log: ${redis.logFile}`,
        );
      await sleep(200);
    } finally {
      await client?.quit().catch(() => undefined);
    }
  }
}

/** The real app at its default pace; Redis stops after a few orders and comes back once daprd's breaker has opened. */
async function outageVariant(ctx, variant) {
  const { plan, redis, outage } = ctx;
  const appId = `outage-${variant}`;
  const app = await startApp({
    redis,
    appId,
    resources: outage.resources,
    command: ctx.pin.wrap([process.execPath, VARIANTS[variant].main]),
  });
  const rec = app.recorder;
  const samples = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t = rec.now();
      try {
        samples.push({ t, ...parseResiliencyMetrics(await app.sidecar.metrics()) });
      } catch {
        /* daprd busy or stopping: a gap in the picture */
      }
      await sleep(1000 - (((rec.now() - t) * 1000) % 1000));
    }
  })();
  let down;
  let up;
  let client;
  try {
    const pre = await rec.waitFor((e) => e.order?.kind === "saving" && e.order.id >= plan.ordersBefore, {
      timeoutMs: 30_000,
    });
    if (!pre) throw new ToolError(`${variant}: ${plan.ordersBefore} orders not saved within 30 s; is daprd healthy?`);
    const keysBefore = (await redisState(redis)).keys;
    const from = rec.events.length;
    down = rec.now();
    await redis.stop();
    say(
      "compare",
      `${variant}: Redis stopped after order ${pre.order.id}; waiting for daprd's breaker ${outage.policy.breakerName} to open (at most ${plan.capMs / 1000} s)`,
    );
    const isOpen = (e) =>
      TRANSITION_RE.exec(e.msg ?? "")
        ?.slice(1)
        .join(" ") === `${outage.policy.breakerName} closed open`;
    const open = await rec.waitFor(isOpen, { from, timeoutMs: plan.capMs });
    if (open) await sleep(Math.max(0, Math.min(plan.afterOpenMs, plan.capMs - (rec.now() - down) * 1000)));
    await redis.start();
    up = rec.now();
    // Other tools pick ports with freePort() too: while ours was down its port was free for the taking.
    const back0 = await redisState(redis);
    if (path.resolve(back0.dir) !== fs.realpathSync(redis.dir)) {
      throw new ToolError(
        `While the outage's Redis was down, another Redis (data in ${back0.dir}) took its port ${redis.port}; daprd would now talk to that.`,
        "Run compare again; fewer things running at once make this unlikely.",
      );
    }
    // What Redis itself brought back: a lost order with fewer keys here is Redis's loss, not the client's.
    const keysAfter = back0.keys;
    const redisLog =
      keysAfter < keysBefore ? fs.readFileSync(redis.logFile, "utf8").trim().split("\n").slice(-25) : undefined;
    // No save can succeed while Redis is down, so the first one after the stop is the recovery.
    const back = await rec.waitFor((e) => e.order?.kind === "saving", { from, timeoutMs: 60_000 });
    if (!back) throw new ToolError(`${variant}: no order saved within 60 s of Redis coming back.`);
    await sleep(plan.afterRecoveryMs);
    sampling = false;
    await sampler;
    await app.sidecar.stop(); // SIGTERM: the app finishes the call in flight and prints its summary

    client = await redis.client();
    const saved = rec.savedOrders();
    const audit = await auditOrders(saved, client, appId);
    const failure = rec.find((e) => FAILURE_RE.test(e.msg ?? ""), from);
    const lastBefore = rec.events.slice(0, from).findLast((e) => e.order?.kind === "saving");
    const appRetries = rec.events.filter((e) => e.source === "app" && /failed: .*retrying/.test(e.line));
    const rel = (e) => (e ? round3(e.at - down) : undefined);
    const endS = rec.now() - down;
    return {
      appId,
      firstFailureS: rel(failure),
      breakerOpenS: rel(open),
      redisUpS: round3(up - down),
      recoveredAfterUpS: round3(back.at - up),
      gapS: lastBefore ? round3(back.at - lastBefore.at) : undefined,
      ordersSaved: saved.length,
      redisKeys: { beforeStop: keysBefore, afterRestart: keysAfter, log: redisLog },
      appRetries: appRetries.length,
      firstAppRetry: appRetries[0]?.line,
      audit: {
        lost: audit.lost,
        repeated: audit.repeated.length,
        skipped: audit.skipped.length,
        missing: audit.missing,
        wrong: audit.wrong.length,
        first: audit.first,
        last: audit.last,
      },
      transitions: rec.events
        .filter((e) => TRANSITION_RE.test(e.msg ?? ""))
        .map((e) => {
          const [, name, fromState, to] = TRANSITION_RE.exec(e.msg);
          return { t: rel(e), name, from: fromState, to };
        }),
      metrics: samples.map((s) => ({ ...s, t: round3(s.t - down) })),
      leadS: round3(down),
      endS: round3(endS),
      ordersPerSecond: perSecond(
        rec.events.filter((e) => e.order?.kind === "saving").map((e) => e.at - down),
        -Math.ceil(down),
        Math.ceil(endS),
      ),
    };
  } finally {
    sampling = false;
    await sampler;
    await client?.quit().catch(() => undefined);
    await app.stop();
    if (!(await redis.isUp())) await redis.start(); // an error mid-outage must not leave the next step without Redis
  }
}

function codeVariant(variant) {
  const dir = path.join(ROOT, "apps", VARIANTS[variant].project);
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const files = fs
    .readdirSync(path.join(dir, "src"))
    .filter((f) => f.endsWith(".ts") && !/\.spec\.ts$/.test(f))
    .sort();
  const counts = files.map((f) => countLines(fs.readFileSync(path.join(dir, "src", f), "utf8")));
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies ?? {});
  const packages = lockPackages(lock, path.relative(ROOT, dir));
  return {
    files,
    lines: counts.reduce((a, c) => a + c.lines, 0),
    codeLines: counts.reduce((a, c) => a + c.code, 0),
    directDependencies: deps.filter((d) => !lock.packages[`node_modules/${d}`]?.link),
    packageCount: packages.length,
    packages,
  };
}

// ---- the report ------------------------------------------------------------

const ms = (x) =>
  x === undefined || !Number.isFinite(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const s1 = (x) => (x === undefined || !Number.isFinite(x) ? "–" : `${x.toFixed(1)} s`);
const withRange = (sp, fmt = ms) => `${fmt(sp.median)} (${fmt(sp.min)}–${fmt(sp.max)})`;
const label = (v) => (v === "redis" ? "Redis direct (node-redis)" : `${VARIANTS[v].project}`);

export function tables(result) {
  const out = {};
  const steady = Object.entries(result.steady);
  const [seq, conc] = [0, 1].map((i) => steady[0]?.[1].levels[i]?.concurrency);
  out.steady = mdTable(
    [
      "client",
      `${seq} in flight: p50 ms (range)`,
      "p90 / p99 ms",
      "calls/s (range)",
      `${conc} in flight: p50 ms (range)`,
      "p90 / p99 ms",
      "calls/s (range)",
    ],
    steady.map(([v, s]) => [
      label(v),
      ...s.levels.flatMap((l) => [
        withRange(l.p50),
        `${ms(l.p90.median)} / ${ms(l.p99.median)}`,
        withRange(l.callsPerSec, (x) => x.toFixed(0)),
      ]),
    ]),
  );
  out.startup = mdTable(
    [
      "app",
      "daprd spawn → 1st order saved, ms",
      "app spawn → 1st order saved, ms",
      "daprd ready, ms",
      "app RSS",
      "daprd RSS",
    ],
    Object.entries(result.startup).map(([v, s]) => [
      label(v),
      withRange(s.fromDaprdMs),
      withRange(s.fromAppMs),
      ms(s.daprdReadyMs.median),
      s.appRssMB ? `${s.appRssMB.toFixed(0)} MB` : "–",
      s.daprdRssMB ? `${s.daprdRssMB.toFixed(0)} MB` : "–",
    ]),
  );
  if (Object.keys(result.outage.runs).length) {
    out.outage = mdTable(
      [
        "app",
        "Redis down → 1st daprd failure",
        "→ breaker open",
        "Redis down for",
        "Redis up → next order saved",
        "no orders for",
        "orders saved",
        "lost",
        "repeated / skipped",
        "app-side retries",
      ],
      Object.entries(result.outage.runs).map(([v, r]) => [
        label(v),
        s1(r.firstFailureS),
        s1(r.breakerOpenS),
        s1(r.redisUpS),
        s1(r.recoveredAfterUpS),
        s1(r.gapS),
        String(r.ordersSaved),
        String(r.audit.lost),
        `${r.audit.repeated} / ${r.audit.skipped}`,
        String(r.appRetries),
      ]),
    );
  }
  out.code = mdTable(
    [
      "app",
      "client-specific TypeScript (files)",
      "lines (code only)",
      "direct dependencies",
      "npm packages installed for it",
    ],
    Object.entries(result.code).map(([v, c]) => [
      label(v),
      c.files.join(", "),
      `${c.lines} (${c.codeLines})`,
      c.directDependencies.join(", ") || "none",
      String(c.packageCount),
    ]),
  );
  return out;
}

/** A few sentences derived from this run's numbers, so the report says what they mean without a human redoing the sums. */
export function reading(result) {
  const out = [];
  const variants = Object.keys(result.steady).filter((v) => v !== "redis");
  result.steady.redis?.levels.forEach((bl, i) => {
    const by = variants
      .map((v) => ({ v, l: result.steady[v].levels[i] }))
      .sort((a, b) => b.l.callsPerSec.median - a.l.callsPerSec.median);
    if (!by.length) return;
    const extra = by.map(({ l }) => l.p50.median - bl.p50.median);
    out.push(
      `${bl.concurrency} in flight: going through daprd with the app's client costs ${ms(Math.min(...extra))}–${ms(Math.max(...extra))} ms more per state call (median) than Redis direct (${ms(bl.p50.median)} ms); ` +
        `fastest ${label(by[0].v)} (${by[0].l.callsPerSec.median.toFixed(0)} calls/s), slowest ${label(by.at(-1).v)} (${by.at(-1).l.callsPerSec.median.toFixed(0)} calls/s, ${(by[0].l.callsPerSec.median / by.at(-1).l.callsPerSec.median).toFixed(1)}× fewer).`,
    );
  });
  const st = Object.entries(result.startup ?? {}).sort((a, b) => a[1].fromAppMs.median - b[1].fromAppMs.median);
  if (st.length > 1)
    out.push(
      `Start-up: ${label(st[0][0])} saves its first order ${ms(st[0][1].fromAppMs.median)} ms after launch, ${label(st.at(-1)[0])} after ${ms(st.at(-1)[1].fromAppMs.median)} ms (mostly loading its client library); daprd is ready in about ${ms(st[0][1].daprdReadyMs.median)} ms either way.`,
    );
  const runs = Object.values(result.outage?.runs ?? {});
  if (runs.length) {
    const range = (k) => Math.max(...runs.map((r) => r[k] ?? NaN)) - Math.min(...runs.map((r) => r[k] ?? NaN));
    const lost = runs.reduce((a, r) => a + r.audit.lost + r.audit.repeated + r.audit.skipped, 0);
    const retried = runs.reduce((a, r) => a + r.appRetries, 0);
    out.push(
      `Outage: ${runs.length > 1 ? `breaker opening and recovery differ by at most ${s1(Math.max(range("breakerOpenS"), range("recoveredAfterUpS")))} between the apps — daprd's policy, not the client, sets the timing; ` : ""}` +
        `${lost ? `${lost} orders lost, repeated or skipped` : "no order lost, repeated or skipped"}; ${retried ? `daprd refused calls while the breaker was open and the apps retried them ${retried} times themselves` : "each app's call just waited while daprd retried it"}; orders stopped for the whole outage and resumed within ${s1(Math.max(...runs.map((r) => r.recoveredAfterUpS)))} of Redis coming back.`,
    );
  }
  return out;
}

function markdown(result, t) {
  const m = result.machine;
  const v = result.versions;
  const cpus = result.pinning.observed;
  return `# Client styles compared

Produced by \`npx zx tools/demo.mjs compare${result.argv.length ? ` ${result.argv.join(" ")}` : ""}\` on ${result.date} in ${result.wallSeconds.toFixed(0)} s${result.quick ? " (**--quick**: small samples, not for conclusions)" : ""}.

## Machine

- ${m.cpus} × ${m.model}, ${m.memMB} MB RAM; load average (1/5/15 min) ${m.loadBefore.join(" / ")} before, ${m.loadAfter.join(" / ")} after.
- Node ${v.node}, daprd ${v.daprd}, @dapr/dapr ${v.daprSdk}, redis-server ${v.redisServer} (append-only file, fsync on every write, as the project runs it), node-redis ${v.nodeRedis}.
- CPUs: ${result.pinning.note}. Observed Cpus_allowed_list: redis-server ${cpus.redis ?? "?"}, daprd ${cpus.daprd ?? "?"}, driver/app ${cpus.driver ?? "?"}.
- What else used the CPUs when the run began (\`top\`, one 1-second sample; other work skews every number below):

\`\`\`
${m.topBefore.join("\n")}
\`\`\`

## Steady state

Each round trip saves an order through the app's own \`OrderStore\` (apps/*/dist/order-store.js) and reads it back; every state call is timed. ${result.plan.reps} repetitions of ${result.plan.seqOps} round trips one at a time and of ${result.plan.concurrency} × ${result.plan.concOps} round trips with ${result.plan.concurrency} in flight, after ${result.plan.warmupMs} ms of warm-up; the median repetition is shown with the range over repetitions. sdk-app's DaprClient talks HTTP (the app's default). The Redis baseline does one HSET and one HGET per round trip; daprd does an EVAL (etag script) and an HGETALL.

${t.steady}

![latency and outage](compare.svg)

## Start-up and memory

The real app, \`node apps/<x>-app/dist/main.js --count 3 --interval-ms 0\`, ${result.plan.startupReps} run(s) each: from daprd's spawn (it is ready before the app starts, as with \`dapr run\`) and from the app's spawn to its first \`Saving Order\` line. Resident memory (VmRSS) read at order 10 of a \`--count 12 --interval-ms 100\` run.

${t.startup}

## Redis outage

${result.outage.note}

${t.outage ?? "(skipped)"}
${Object.entries(result.outage.runs)
  .filter(([, r]) => r.firstAppRetry)
  .map(([v, r]) => `\n- ${label(v)}'s first own retry: \`${r.firstAppRetry.slice(0, 300)}\``)
  .join("")}${Object.entries(result.outage.runs)
    .filter(([, r]) => r.redisKeys.afterRestart < r.redisKeys.beforeStop)
    .map(
      ([v, r]) =>
        `\n- During ${label(v)}'s outage Redis came back with ${r.redisKeys.afterRestart} of its ${r.redisKeys.beforeStop} keys: that loss is Redis's, not the client's (its log is in compare.json).`,
    )
    .join(
      "",
    )}${Object.values(result.outage.runs).some((r) => r.transitions.some((tr) => tr.to === "open") && !r.metrics.some((m) => m.cb === "open")) ? "\n- daprd logged the breaker opening, but its `dapr_resiliency_cb_state` gauge never read `open` in the once-a-second scrapes: here the gauge moved only when a call went through the breaker, and no call arrived while it was open (the next retry came when it was already half-open)." : ""}

## Code

Client-specific code is apps/<x>-app/src/*.ts without tests; the shared order loop (libs/order-model) is the same for all. Packages: package-lock.json's tree from the app's dependencies, the workspace library left out.

${t.code}

## Reading the numbers

${reading(result)
  .map((l) => `- ${l}`)
  .join("\n")}
- The ranges are repetition to repetition on a shared 2-core machine; other processes (see above; after the run: load ${m.loadAfter.join(" / ")}) move them more than any client does. Nothing here is a threshold.

What else used the CPUs when the run ended:

\`\`\`
${(m.topAfter ?? []).join("\n")}
\`\`\`
`;
}

// ---- the command -----------------------------------------------------------

/** `compare [--quick] [--json] [--variants …] [--out DIR]`; returns the exit code. */
export async function runCompare(argv) {
  const opts = parseCompareArgs(argv);
  if (opts.help) {
    write(`${USAGE}\n`);
    return 0;
  }
  if (opts.json) sendHumanOutputTo(process.stderr);
  const started = Date.now();
  const plan = { ...PLANS[opts.quick ? "quick" : "full"], driverTimeoutMs: opts.quick ? 60_000 : 180_000 };
  const result = {
    tool: "compare",
    date: new Date().toISOString(),
    argv,
    quick: opts.quick,
    variants: opts.variants,
    plan,
  };
  result.machine = await machine(); // before the build below adds load of its own
  await ensureDapr();
  await ensureControlPlane();
  await ensureBuilt();

  result.versions = await versions();
  result.code = Object.fromEntries(opts.variants.map((v) => [v, codeVariant(v)]));

  const pin = await pinCpus();
  say("compare", `CPUs: ${pin.note}`);
  let redis;
  let removeCleanup = () => undefined;
  try {
    redis = await startRedis();
    removeCleanup = onCleanup(() => redis.stop());
    say("compare", `own redis-server on 127.0.0.1:${redis.port} (data in ${redis.dir})`);
    const appIds = opts.variants.flatMap((v) => [`bench-${v}`, `startup-${v}`, `outage-${v}`]);
    const ctx = { plan, redis, pin, resources: { replace: { "resiliency.yaml": resiliencyYaml(appIds, false) } } };
    const outageResources = { replace: { "resiliency.yaml": resiliencyYaml(appIds, opts.quick) } };
    const probe = writeRunResources(outageResources);
    ctx.outage = { resources: outageResources, policy: checkResources(probe).policy };
    fs.rmSync(probe, { recursive: true, force: true });

    heading(`Steady state: save + read-back, 1 and ${plan.concurrency} in flight, ${plan.reps} repetitions`);
    result.steady = {};
    for (const v of ["redis", ...opts.variants]) {
      const s = v === "redis" ? await steadyBaseline(ctx) : await steadyVariant(ctx, v);
      result.steady[v] = s;
      say(
        "compare",
        `${label(v)}: ${s.levels.map((l) => `${l.concurrency} in flight p50 ${ms(l.p50.median)} ms, ${l.callsPerSec.median.toFixed(0)} calls/s`).join("; ")}`,
      );
    }
    result.pinning = {
      enabled: pin.enabled,
      note: pin.note,
      observed: { ...result.steady.redis.cpus, ...result.steady[opts.variants[0]].cpus },
    };

    heading("Start-up and memory of the real apps");
    result.startup = {};
    for (const v of opts.variants) {
      const s = await startupVariant(ctx, v);
      result.startup[v] = s;
      say(
        "compare",
        `${label(v)}: first order ${ms(s.fromDaprdMs.median)} ms after daprd's spawn, ${ms(s.fromAppMs.median)} ms after the app's; RSS app ${s.appRssMB?.toFixed(0)} MB, daprd ${s.daprdRssMB?.toFixed(0)} MB`,
      );
    }

    const e = ctx.outage.policy;
    const outageVariants = plan.outage === "all" ? opts.variants : opts.variants.slice(0, 1);
    result.outage = {
      policy: {
        retryEveryMs: e.retryEveryMs,
        tripAfter: e.tripAfter,
        openForMs: e.openForMs,
        breaker: e.breakerName,
        shortened: opts.quick,
      },
      note: `Each app runs at its default pace (an order every 500 ms). After order ${plan.ordersBefore} Redis is stopped; it is started again ${plan.afterOpenMs / 1000} s after daprd logs that ${e.breakerName} went from closed to open (at most ${plan.capMs / 1000} s after the stop). Policy${opts.quick ? " (shortened for --quick)" : ""}: retry every ${e.retryEveryMs / 1000} s forever, breaker opens after ${e.tripAfter} failures in a row for ${e.openForMs / 1000} s. Orders audited against Redis afterwards.${outageVariants.length < opts.variants.length ? ` --quick: only ${outageVariants.join(", ")}.` : ""}`,
      runs: {},
    };
    heading(`Redis outage, one app after the other${opts.quick ? " (--quick: one app, shortened policy)" : ""}`);
    for (const v of outageVariants) {
      const r = await outageVariant(ctx, v);
      result.outage.runs[v] = r;
      say(
        "compare",
        `${label(v)}: 1st failure ${s1(r.firstFailureS)}, breaker open ${s1(r.breakerOpenS)}, Redis up ${s1(r.redisUpS)}, next order ${s1(r.recoveredAfterUpS)} later; ${r.ordersSaved} saved, ${r.audit.lost} lost`,
      );
    }
  } finally {
    removeCleanup();
    await redis?.stop();
    if (redis) fs.rmSync(redis.dir, { recursive: true, force: true });
    await pin.restore();
  }

  result.machine.loadAfter = os.loadavg().map((l) => +l.toFixed(2));
  result.machine.topAfter = await busiest();
  result.wallSeconds = (Date.now() - started) / 1000;
  fs.mkdirSync(opts.out, { recursive: true });
  result.files = Object.fromEntries(["md", "svg", "json"].map((ext) => [ext, path.join(opts.out, `compare.${ext}`)]));
  const t = tables(result);
  fs.writeFileSync(result.files.svg, renderSvg(result));
  fs.writeFileSync(result.files.md, markdown(result, t));
  fs.writeFileSync(result.files.json, `${JSON.stringify(result, null, 1)}\n`);

  heading("Steady state (median of repetitions, range in brackets)");
  write(`${t.steady}\n`);
  heading("Start-up and memory");
  write(`${t.startup}\n`);
  if (t.outage) {
    heading("Redis outage");
    write(`${t.outage}\n`);
  }
  heading("Code");
  write(`${t.code}\n\n`);
  say(
    "compare",
    `wrote ${Object.values(result.files)
      .map((f) => (path.relative(process.cwd(), f).startsWith("..") ? f : path.relative(process.cwd(), f)))
      .join(", ")} in ${result.wallSeconds.toFixed(0)} s`,
  );
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);

  const bad = Object.entries(result.outage.runs).filter(([, r]) => r.audit.lost || r.audit.repeated || r.audit.skipped);
  for (const [v, r] of bad)
    say(
      "compare",
      `${label(v)} lost ${r.audit.lost}, repeated ${r.audit.repeated}, skipped ${r.audit.skipped} orders during the outage`,
    );
  return bad.length ? 1 : 0;
}
