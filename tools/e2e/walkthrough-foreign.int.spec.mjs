// @ts-check
// `walkthrough -- <cmd>` on foreign order-processors of our own
// (tools/e2e/fixtures/foreign-apps), which print what the Dapr quickstarts print:
// real daprd, the project's Redis (stopped and started by the walkthrough),
// and a shortened copy of the seed's policy (retry every 500 ms, breaker open
// 2 s) so that each run takes about 35 s instead of 60.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { $ } from "zx";
import { ROOT, RESOURCES } from "../stack/paths.mjs";
import { writeRunResources } from "../stack/resources.mjs";
import { readRows, rowDifferences } from "../demos/walkthrough/report.mjs";

const zx = ["node", `${ROOT}/node_modules/zx/build/cli.js`, `${ROOT}/tools/demo.mjs`, "walkthrough"];
const FIXTURES = path.join(ROOT, "tools/e2e/fixtures/foreign-apps");
const ROWS = [
  "orders flow: three orders saved",
  "daprd retries the failed state call",
  "circuit breaker goes closed → open",
  "circuit breaker goes open → half-open after its 2s timeout",
  "circuit breaker goes half-open → open (trial call failed, Redis still down)",
  "daprd recovers the state call",
  "orders resume at exactly the next id",
  "orders keep flowing after recovery",
  "the app stops cleanly on SIGTERM",
  "daprd's metrics count the breaker opening",
  "Redis holds every order the app reported saved, with its value",
  "no order repeated or skipped",
];

/** @type {string} */
let resources;
/** @type {string} */
let bin;
beforeAll(async () => {
  const seed = fs.readFileSync(path.join(RESOURCES, "resiliency.yaml"), "utf8");
  const short = seed.replace("duration: 5s", "duration: 500ms").replace("timeout: 5s", "timeout: 2s");
  expect(short).not.toBe(seed);
  resources = writeRunResources({ replace: { "resiliency.yaml": short } });
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "foreign-go-"));
  await $({ cwd: path.join(FIXTURES, "go") })`go build -o ${bin}/order-processor .`;
});
afterAll(() => {
  for (const dir of [resources, bin]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the walkthrough on `command` with --json; returns the one result and the output.
 * @param {string[]} command
 * @param {Record<string, string>} [env]
 */
async function walk(command, env = {}) {
  const out = await $({
    cwd: ROOT,
    env: { ...process.env, ...env },
  })`${zx} --resources ${resources} --json -- ${command}`
    .nothrow()
    .timeout("150s");
  const json = JSON.parse(out.stdout);
  const r = json.results[0];
  const missing = r.expectations.filter((/** @type {{ ok: boolean }} */ x) => !x.ok);
  // every row the live stream printed is in the table, in the same order
  const { live, table } = readRows(out.stderr);
  expect(table).toHaveLength(r.expectations.length);
  expect(rowDifferences({ live, table })).toEqual([]);
  return { out, json, r, missing };
}

describe("walkthrough -- <foreign app>", () => {
  it("Python, prints like the Python quickstart, deletes each order, no SIGTERM handler: PASS, deleted orders not lost", async () => {
    const { out, json, r, missing } = await walk(["python3", path.join(FIXTURES, "python/app.py")], {
      ORDER_INTERVAL_SECONDS: "0.3",
    });
    expect(missing, JSON.stringify(missing)).toEqual([]);
    expect(r.expectations.map((/** @type {{ name: string }} */ x) => x.name)).toEqual(ROWS);
    expect(out.exitCode).toBe(0);
    expect(json.ok).toBe(true);
    expect(r.policy).toMatchObject({ retryEveryMs: 500, openForMs: 2000, tripAfter: 5 });
    expect(r.orders.readBack).toBeGreaterThanOrEqual(3);
    expect(r.orders.deleted).toBeGreaterThanOrEqual(r.orders.before + r.orders.after - 1);
    expect(r.orders).toMatchObject({ lost: 0, repeated: 0, skipped: 0 });
    expect(r.exit).toMatchObject({ signal: "SIGTERM", afterSigterm: true });
    expect(r.expectations[8].detail).toMatch(
      /^ended by SIGTERM \(its default action: no handler\), .* nothing it reported lost$/,
    );
    expect(out.stderr).toMatch(/deleted by the app \(it said so; not lost\); lost 0/);
  });

  it("Go, prints like the Go quickstart (Saved/Retrieved Order), keeps its orders, exits 0 on SIGTERM: PASS", async () => {
    const { out, r, missing } = await walk([`${bin}/order-processor`, "-keep", "-interval", "300ms"]);
    expect(missing, JSON.stringify(missing)).toEqual([]);
    expect(r.expectations.map((/** @type {{ name: string }} */ x) => x.name)).toEqual(ROWS);
    expect(out.exitCode).toBe(0);
    expect(r.orders).toMatchObject({ deleted: 0, lost: 0, repeated: 0, skipped: 0, during: 0 });
    expect(r.orders.after).toBeGreaterThanOrEqual(3);
    expect(r.exit).toMatchObject({ code: 0, signal: null, afterSigterm: true });
    expect(r.expectations[8].detail).toMatch(/^exit code 0, /);
    const t = r.timeline;
    expect(t.redisDown).toBeLessThan(t.firstRetry);
    expect(t.breakerOpen).toBeLessThan(t.redisUp);
    expect(t.redisUp).toBeLessThanOrEqual(t.recovered);
  });
});
