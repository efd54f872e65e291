// @ts-check
// `demo.mjs lab --quick` for real (a real Toxiproxy, Redis, daprd and app per
// cell), checked for the relations that hold on any machine: with a 1 s
// timeout (fail-fast) a hang reaches the app within the policy's bound; the
// seed's policy, without a timeout, holds the app for the whole hang; refuse
// under the seed opens the breaker; every cell audits clean. Then bad input,
// and a SIGTERM mid-cell leaving nothing behind.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../stack/paths.mjs";
import { POLICIES, checkPolicy } from "../demos/lab/policies.mjs";

const ZX = path.join(ROOT, "node_modules/zx/build/cli.js");
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const out = fs.mkdtempSync(path.join(os.tmpdir(), "lab-int-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/**
 * Runs `demo.mjs lab …` to its end (killed after timeoutMs: a hang fails the test).
 * @param {string[]} args
 * @param {{ timeoutMs?: number, onLine?: (line: string, child: import("node:child_process").ChildProcess) => void }} [o]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function lab(args, { timeoutMs = 60_000, onLine } = {}) {
  return new Promise((resolve) => {
    // Without Vitest's variables: cli/cleanup.mjs leaves the signals to Vitest when it sees them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST")));
    const child = spawn(process.execPath, [ZX, path.join(ROOT, "tools/demo.mjs"), "lab", ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    // progress goes to stdout (to stderr with --json)
    child.stdout.on("data", (b) => {
      stdout += b;
      for (const l of String(b).split("\n")) if (l) onLine?.(l, child);
    });
    child.stderr.on("data", (b) => {
      stderr += b;
      for (const l of String(b).split("\n")) if (l) onLine?.(l, child);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Pids of every process whose parent chain leads to `root`, and of the redis-servers whose pid file sits in a folder made after `since`. */
function started(/** @type {number} */ root, /** @type {number} */ since) {
  const parent = new Map();
  for (const d of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* gone */
    }
  }
  const mine = [...parent.keys()].filter((pid) => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === root) return true;
    return false;
  });
  for (const d of fs.readdirSync(os.tmpdir()).filter((x) => x.startsWith("redis-test-"))) {
    const dir = path.join(os.tmpdir(), d);
    try {
      if (fs.statSync(dir).mtimeMs >= since) mine.push(Number(fs.readFileSync(path.join(dir, "redis.pid"), "utf8")));
    } catch {
      /* no pid file yet */
    }
  }
  return mine;
}
/** Running, not a zombie waiting for an init that does not reap it (as in some containers). */
const alive = (/** @type {number} */ pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

/**
 * `lab --policies seed --faults <fault>` sent SIGTERM `afterMs` into its cell: it must exit 143.
 * @param {string} fault
 * @param {number} afterMs
 * @returns {Promise<{ pids: number[], left: string[] }>} what it had started, and what of that still runs
 */
async function sigtermMidCell(fault, afterMs) {
  const since = Date.now();
  /** @type {number[]} */
  let pids = [];
  let sent = false;
  const r = await lab(["--policies", "seed", "--faults", fault, "--fault-s", "60", "--out", out], {
    timeoutMs: 180_000,
    onLine: (line, child) => {
      if (!sent && line.includes(`seed × ${fault}: starting`)) {
        sent = true;
        setTimeout(() => {
          pids = started(/** @type {number} */ (child.pid), since);
          child.kill("SIGTERM");
        }, afterMs);
      }
    },
  });
  expect(sent, (r.stdout + r.stderr).slice(-2000)).toBe(true);
  expect(r.code).toBe(143);
  await new Promise((res) => setTimeout(res, 1_000));
  const left = pids.filter(alive).map((p) => {
    try {
      return `${p} ${fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ")}`;
    } catch {
      return `${p}`;
    }
  });
  return { pids, left };
}

describe("lab --quick", () => {
  /** @type {import("../demos/lab/index.mjs").LabResult} */
  let result;
  /** @param {string} policy @param {string} fault */
  const cell = (policy, fault) => {
    const c = result.cells.find((x) => x.policy === policy && x.fault === fault);
    if (!c) throw new Error(`no cell ${policy} × ${fault}`);
    return c;
  };

  it("runs 2 policies × 2 faults and writes lab.md, lab.svg and lab.json", async () => {
    const r = await lab(["--quick", "--json", "--out", out], { timeoutMs: 420_000 });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    result = JSON.parse(r.stdout);
    expect(result.cells.map((c) => `${c.policy}×${c.fault}`).sort()).toEqual(
      ["fail-fast×hang", "fail-fast×refuse", "seed×hang", "seed×refuse"].sort(),
    );
    for (const f of ["lab.md", "lab.svg", "lab.json"]) expect(fs.statSync(path.join(out, f)).size).toBeGreaterThan(500);
    expect(fs.readFileSync(path.join(out, "lab.md"), "utf8")).toMatch(/\| \*\*seed\*\* \|/);
  });

  it("every cell ran and audits clean: nothing lost, repeated or skipped", () => {
    for (const c of result.cells) {
      expect(c.error, `${c.policy} × ${c.fault}`).toBeUndefined();
      expect(c.audit, `${c.policy} × ${c.fault}`).toEqual({ lost: 0, repeated: 0, skipped: 0 });
    }
  });

  it("with a 1 s timeout (fail-fast), a hang reaches the app within the policy's bound", () => {
    const p = checkPolicy(/** @type {any} */ (POLICIES.find((x) => x.name === "fail-fast"))).policy;
    if (!p?.timeoutMs || p.retryEveryMs === undefined) throw new Error("fail-fast has a timeout and a retry interval");
    // every attempt ends at its timeout; the retries wait between them
    const boundS = ((p.maxRetries + 1) * p.timeoutMs + p.maxRetries * p.retryEveryMs) / 1000;
    const c = cell("fail-fast", "hang");
    expect(c.firstErrorS).not.toBeNull();
    expect(c.firstErrorS).toBeLessThanOrEqual(boundS + 2); // + scheduling on a loaded machine
    expect(c.firstErrorS).toBeLessThan(c.faultS / 2);
  });

  it("without a timeout (the seed), the same hang holds the app for the whole fault, telling it nothing", () => {
    const c = cell("seed", "hang");
    expect(c.stallS).toBeGreaterThanOrEqual(c.faultS);
    // a save already in flight when the fault came may land in its first moment; none after
    expect(c.timeline.saves.filter((t) => t > 1 && t <= c.timeline.faultEnd)).toEqual([]);
    expect(c.appErrors).toBe(0);
    expect(/** @type {number} */ (c.stallS)).toBeGreaterThan(
      /** @type {number} */ (cell("fail-fast", "hang").firstErrorS),
    );
  });

  it("refuse under the seed's policy opens the breaker", () => {
    const c = cell("seed", "refuse");
    expect(c.firstOpenS, JSON.stringify(c.transitions)).not.toBeNull();
    expect(/** @type {number} */ (c.firstOpenS)).toBeLessThan(c.faultS);
  });
});

describe("lab: bad input and clean-up", () => {
  it("an unknown fault or policy is exit 2 listing the valid ones, before anything starts", async () => {
    const f = await lab(["--faults", "freeze"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/Unknown fault "freeze"/);
    expect(f.stderr).toMatch(/hang.*slow|refuse/s);
    const p = await lab(["--policies", "retry-harder"]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/Unknown policy "retry-harder"\. Valid: seed, seed-timeout/);
    for (const r of [f, p]) expect(r.stderr).not.toMatch(STACK);
  });

  it("a mistake in a --policy file is exit 2 with its file:line", async () => {
    const file = path.join(out, "bad-resiliency.yaml");
    const seed = fs.readFileSync(path.join(ROOT, "resources/resiliency.yaml"), "utf8");
    fs.writeFileSync(file, seed.replace("duration: 5s", "duration: five"));
    const line = seed.split("\n").findIndex((l) => l.includes("duration: 5s")) + 1;
    const r = await lab(["--policies", "", "--policy", file, "--faults", "hang"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${line}`);
    expect(r.stderr).toMatch(/not a duration/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it("SIGTERM mid-cell: the tool exits 143 and every process it started is gone", async () => {
    // daprd, the app, Toxiproxy and the cell's Redis are up once the cell starts; give them a moment.
    const { pids, left } = await sigtermMidCell("hang", 12_000);
    expect(pids.length).toBeGreaterThanOrEqual(3); // toxiproxy-server, daprd, the app (and redis-server)
    expect(left).toEqual([]);
  });
});

describe("lab: failover and the traps, each attempt read from Redis's MONITOR", () => {
  /** @type {import("../demos/lab/index.mjs").LabResult} */
  let result;
  /** @param {string} policy @param {string} fault */
  const cell = (policy, fault) => {
    const c = result.cells.find((x) => x.policy === policy && x.fault === fault);
    if (!c) throw new Error(`no cell ${policy} × ${fault}`);
    return c;
  };
  /** @param {import("../demos/lab/measure.mjs").CellResult} c */
  const attempts = (c) => {
    if (!c.attempts) throw new Error(`${c.policy} × ${c.fault}: no attempts read from MONITOR`);
    return c.attempts;
  };

  it("runs seed × reject, seed × failover and the two trap cells, every one audited clean", async () => {
    const dir = path.join(out, "traps");
    const r = await lab(
      ["--policies", "seed", "--faults", "reject,failover", "--traps", "--fault-s", "12", "--json", "--out", dir],
      {
        timeoutMs: 420_000,
      },
    );
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    result = JSON.parse(r.stdout);
    expect(result.cells.map((c) => `${c.policy}×${c.fault}`)).toEqual([
      "seed×reject",
      "seed×failover",
      "constant-maxinterval×reject",
      "no-retries×reject",
    ]);
    for (const c of result.cells)
      expect(c.audit, `${c.policy} × ${c.fault}`).toEqual({ lost: 0, repeated: 0, skipped: 0 });
    expect(fs.readFileSync(path.join(dir, "lab.md"), "utf8")).toMatch(/## Each attempt, as Redis saw it/);
  });

  it("a failover: orders come again after it, from the new primary", () => {
    const c = cell("seed", "failover");
    expect(c.recoveryS).not.toBeNull();
    expect(c.savedDuring).toBeGreaterThan(0); // the Sentinels switch in seconds, well within the fault
  });

  it("maxInterval on a constant policy is ignored: daprd's attempts are seconds apart, not the 1 s asked", () => {
    const a = attempts(cell("constant-maxinterval", "reject"));
    expect(a.burstGapS).not.toBeNull();
    expect(/** @type {number} */ (a.burstGapS)).toBeGreaterThan(3); // the default duration, 5 s
    expect(a.burstGapS).toBeCloseTo(/** @type {number} */ (attempts(cell("seed", "reject")).burstGapS), 0);
  });

  it("maxRetries: 0 does not make one attempt: the store's client retries each failed call below the policy", () => {
    const c = cell("no-retries", "reject");
    const a = attempts(c);
    expect(c.appErrors).toBeGreaterThan(0); // no retries: every failure goes back to the app
    expect(a.writes).toBeGreaterThan(c.appErrors); // yet Redis got more than one write per failed call
    expect(a.writes).toBeGreaterThan(a.bursts);
  });

  it("SIGTERM during a failover cell: exit 143, every Redis and Sentinel of its cluster gone", async () => {
    const { pids, left } = await sigtermMidCell("failover", 15_000);
    expect(pids.length).toBeGreaterThanOrEqual(5); // 2 redis-servers and 3 Sentinels, then daprd and the app
    expect(left).toEqual([]);
  });
});
