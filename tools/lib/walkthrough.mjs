// The seed's resiliency walkthrough, replayed and checked: orders flow, Redis
// stops, daprd retries and the circuit breaker opens, Redis comes back,
// orders resume at the next id, and Redis holds every order the app saved.
// What to expect (retry interval, trip count, open timeout) comes from
// resources/resiliency.yaml, not from constants here.
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { chalk } from "zx";
import { UsageError } from "./errors.mjs";
import { ensurePrerequisites } from "./prerequisites.mjs";
import { startSidecar } from "./sidecar.mjs";
import { printEvent } from "./stream.mjs";
import { Recorder, auditOrders } from "./recorder.mjs";
import { heading, say, secondsSinceStart, sendHumanOutputTo, waiting, write } from "./console.mjs";
import { VARIANTS } from "./paths.mjs";

export const USAGE = `Usage: npx zx tools/demo.mjs walkthrough [--variant sdk|http|grpc|all] [--redis auto|docker|local]
                                       [--outage <seconds>] [--verbose] [--json] [-- <any app command>]`;

// daprd's lines, matched loosely: wording and punctuation have moved between releases.
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
export const patterns = (store, breaker) => ({
  retry: new RegExp(`Error processing operation .*${escape(store)}.*Retrying`, "i"),
  transition: new RegExp(`Circuit breaker "?${escape(breaker)}"? changed state from ([\\w-]+) to ([\\w-]+)`, "i"),
  recovered: new RegExp(`Recovered processing operation .*${escape(store)}.*?(?:after (\\d+) attempts|$)`, "i"),
});

export function parseWalkthroughArgs(argv) {
  const dd = argv.indexOf("--");
  const command = dd >= 0 ? argv.slice(dd + 1) : undefined;
  let values;
  try {
    ({ values } = parseArgs({
      args: dd >= 0 ? argv.slice(0, dd) : argv,
      strict: true,
      options: {
        variant: { type: "string", default: "sdk" },
        redis: { type: "string", default: "auto" },
        outage: { type: "string" },
        verbose: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message, USAGE);
  }
  if (command && command.length === 0)
    throw new UsageError("Nothing after `--`: give the app command to check.", USAGE);
  const variants = values.variant === "all" ? Object.keys(VARIANTS) : [values.variant];
  if (!command && !variants.every((v) => VARIANTS[v])) {
    throw new UsageError(
      `Unknown --variant "${values.variant}".`,
      `${USAGE}\nVariants: ${Object.keys(VARIANTS).join(", ")}, all`,
    );
  }
  if (!["auto", "docker", "local"].includes(values.redis)) {
    throw new UsageError(`Unknown --redis "${values.redis}".`, USAGE);
  }
  let outageMs;
  if (values.outage !== undefined) {
    const s = Number(values.outage);
    if (!/^\d+(\.\d+)?$/.test(values.outage) || s < 1 || s > 600) {
      throw new UsageError(`--outage must be a number of seconds from 1 to 600, got "${values.outage}".`, USAGE);
    }
    outageMs = s * 1000;
  }
  return { ...values, outageMs, variants: command ? ["custom"] : variants, command };
}

/** One expectation of the verdict table. */
class Verdict {
  constructor() {
    this.rows = [];
  }
  check(name, ok, detail = "", at) {
    this.rows.push({ name, ok: Boolean(ok), detail, at });
    say(
      "walkthrough",
      `${ok ? chalk.green("✔") : chalk.red("✘")} ${name}${detail ? chalk.dim(` (${detail})`) : ""}`,
      at,
    );
    return ok;
  }
  get ok() {
    return this.rows.every((r) => r.ok);
  }
}

async function clearOrders(redis, appId = "order-processor") {
  const client = await redis.client();
  try {
    const keys = await client.keys(`${appId}||*`);
    if (keys.length) await client.del(keys);
    return keys.length;
  } finally {
    await client.quit().catch(() => undefined);
  }
}

/** Replays the walkthrough for one variant (or command); returns its result. */
async function walkOne({ label, command, redis, policy, store, outageMs, verbose }) {
  const v = new Verdict();
  const rec = new Recorder({
    t0: Date.now() - secondsSinceStart() * 1000,
    onEvent: (e) => printEvent({ ...e, label: "app" }, { verbose }),
  });
  const p = patterns(store, policy.breakerName ?? "");
  const isDaprd = (re) => (e) => e.source === "daprd" && re.test(e.msg ?? e.line);
  const transition = (from, to) => (e) => {
    if (e.source !== "daprd") return false;
    const m = p.transition.exec(e.msg ?? "");
    return m && m[1] === from && m[2] === to;
  };
  const t = {}; // the outage timeline, seconds since start
  const fmt = (s) => (s === undefined ? "—" : `${s.toFixed(1)} s`);
  const retryEvery = policy.retryEveryMs ?? 5_000;
  const openFor = policy.openForMs ?? 5_000;
  const tripAfter = policy.tripAfter ?? 5;
  // A failed attempt here takes longer than the retry interval alone (Redis client
  // dial + retries): allow 10 s of slack per attempt before calling a step missing.
  const attemptMs = retryEvery + 10_000;

  heading(`1. Start ${label} beside daprd (app-id order-processor, resources/)`);
  // Orders left by an earlier run would hide a lost write from the final check.
  const stale = await clearOrders(redis);
  if (stale)
    say(
      "walkthrough",
      `cleared ${stale} order keys (order-processor||*) left by an earlier run, so the final check counts only this run's`,
    );
  const sidecar = await startSidecar({ command, onLine: (e) => rec.push(e) });
  let exit;
  try {
    say(
      "walkthrough",
      `daprd ready (HTTP ${sidecar.ports.http}, gRPC ${sidecar.ports.grpc}, metrics ${sidecar.ports.metrics}); app started`,
    );

    heading("2. Wait until orders are flowing");
    // An app that exits early ends the wait at once instead of at the timeout.
    let appExit;
    const exited = sidecar.appExited.then((e) => (appExit = e) && undefined);
    const flowing = await waiting(
      "waiting for three Saving/Getting pairs",
      Promise.race([
        exited,
        rec.waitFor(() => rec.events.filter((e) => e.order?.kind === "getting").length >= 3, { timeoutMs: 45_000 }),
      ]),
    );
    if (
      !v.check(
        "orders flow: three Saving/Getting pairs",
        flowing,
        appExit ? `the app exited with code ${appExit.code ?? appExit.signal} first` : "",
        flowing?.at,
      )
    )
      return await finish();
    const before = rec.savedOrders();

    heading(`3. Stop Redis (${redis.describe()})`);
    const downIndex = rec.events.length;
    await redis.stop();
    t.redisDown = rec.now();
    say("redis", `stopped ${redis.kind === "docker" ? "(docker stop dapr_redis)" : "(SIGTERM to redis-server)"}`);

    heading(
      `4. Watch daprd apply the policies: retry ${policy.retryPolicy} every ${retryEvery / 1000}s, breaker ${policy.breaker} opens after ${tripAfter} failures for ${openFor / 1000}s`,
    );
    // Watch daprd's metrics while Redis is down. In 1.18.2 the dapr_resiliency_cb_state
    // gauge stays at "closed" throughout (seen on every run here); the activations
    // counter is what records the breaker opening.
    let metricsOpen;
    const sampling = (async () => {
      while (t.redisUp === undefined) {
        const text = await sidecar.metrics().catch(() => "");
        if (
          metricsOpen === undefined &&
          /dapr_resiliency_activations_total\{[^}]*policy="circuitbreaker"[^}]*status="open"[^}]*\} [1-9]/.test(text)
        )
          metricsOpen = rec.now();
        await sleep(1_000);
      }
    })();
    const retry = await waiting(
      "waiting for daprd's retry warning",
      rec.waitFor(isDaprd(p.retry), { from: downIndex, timeoutMs: attemptMs }),
    );
    t.firstRetry = retry?.at;
    v.check(
      "daprd retries the failed state call",
      retry,
      retry
        ? `${(retry.at - t.redisDown).toFixed(1)} s after Redis stopped`
        : `no line like /${p.retry.source}/ within ${attemptMs / 1000} s`,
      retry?.at,
    );
    const outageEnds = outageMs ? Date.now() + outageMs - (rec.now() - t.redisDown) * 1000 : undefined;
    const open = await waiting(
      `waiting for ${policy.breakerName} to open (after ${tripAfter} consecutive failures)`,
      rec.waitFor(transition("closed", "open"), {
        from: downIndex,
        timeoutMs: outageEnds ? Math.max(0, outageEnds - Date.now()) : tripAfter * attemptMs,
      }),
    );
    t.breakerOpen = open?.at;
    v.check(
      "circuit breaker goes closed → open",
      open,
      open ? `${(open.at - (t.firstRetry ?? t.redisDown)).toFixed(1)} s after the first failure` : "not seen",
      open?.at,
    );
    const halfOpen =
      open &&
      (await waiting(
        "waiting for the breaker to let a trial call through",
        rec.waitFor(transition("open", "half-open"), { from: downIndex, timeoutMs: openFor + attemptMs }),
      ));
    t.halfOpen = halfOpen?.at;
    v.check(
      `circuit breaker goes open → half-open after its ${openFor / 1000}s timeout`,
      halfOpen && halfOpen.at - open.at >= openFor / 1000 - 0.5,
      halfOpen ? `${(halfOpen.at - open.at).toFixed(1)} s after opening` : "not seen",
      halfOpen?.at,
    );
    const reopen =
      halfOpen &&
      (await waiting(
        "waiting for the trial call to fail",
        rec.waitFor(transition("half-open", "open"), { from: downIndex, timeoutMs: attemptMs }),
      ));
    t.reopen = reopen?.at;
    v.check("circuit breaker goes half-open → open (trial call failed, Redis still down)", reopen, "", reopen?.at);
    if (outageEnds && Date.now() < outageEnds)
      await waiting("keeping Redis down for --outage", sleep(outageEnds - Date.now()));
    const savedDuring = rec.savedOrders().slice(before.length);

    heading("5. Start Redis again");
    const upIndex = rec.events.length;
    await redis.start();
    t.redisUp = rec.now();
    say("redis", "started");
    await sampling;
    const recovered = await waiting(
      "waiting for daprd to recover",
      rec.waitFor(isDaprd(p.recovered), { from: upIndex, timeoutMs: openFor + attemptMs * 2 }),
    );
    t.recovered = recovered?.at;
    const attempts = recovered && p.recovered.exec(recovered.msg ?? recovered.line)?.[1];
    v.check(
      "daprd recovers the state call",
      recovered,
      recovered
        ? `${attempts ? `after ${attempts} attempts, ` : ""}${(recovered.at - t.redisUp).toFixed(1)} s after Redis came back`
        : "not seen",
      recovered?.at,
    );
    const lastBefore = [...before, ...savedDuring].at(-1);
    const next = await waiting(
      "waiting for the next order",
      rec.waitFor((e) => e.order?.kind === "saving" && e.at >= t.redisUp, { from: upIndex, timeoutMs: attemptMs * 2 }),
    );
    t.nextOrder = next?.at;
    v.check(
      "orders resume at exactly the next id",
      next && next.order.id === lastBefore + 1,
      next ? `order ${next.order.id} after ${lastBefore}` : "no order after Redis came back",
      next?.at,
    );
    const more = await rec.waitFor(() => rec.savedOrders().filter((id) => id > lastBefore).length >= 3, {
      timeoutMs: 20_000,
    });
    v.check(
      "orders keep flowing after recovery",
      more,
      `${rec.savedOrders().filter((id) => id > lastBefore).length} orders since`,
      more?.at,
    );

    heading("6. Stop the app (as `dapr stop --app-id order-processor` does: SIGTERM) and check Redis");
    await sidecar.stop();
    exit = await sidecar.appExited;
    v.check("the app stops cleanly on SIGTERM", exit.code === 0, `exit code ${exit.code ?? exit.signal}`);
    v.check(
      "daprd's metrics count the breaker opening",
      metricsOpen !== undefined,
      'dapr_resiliency_activations_total{policy="circuitbreaker",status="open"}',
      metricsOpen,
    );
    return await finish({ before, savedDuring, metricsOpen });
  } finally {
    await sidecar.stop();
    if (!(await redis.isUp())) await redis.start(); // leave Redis running, as we found it
  }

  async function finish(extra = {}) {
    const saved = rec.savedOrders();
    const client = await redis.client();
    let audit;
    try {
      audit = await auditOrders(saved, client);
    } finally {
      await client.quit().catch(() => undefined);
    }
    v.check(
      "Redis holds every order the app reported saved, with its value",
      audit.lost === 0 && saved.length > 0,
      `${saved.length} saved, ${audit.missing.length} missing, ${audit.wrong.length} wrong`,
    );
    v.check(
      "no order repeated or skipped",
      audit.repeated.length === 0 && audit.skipped.length === 0,
      `repeated ${JSON.stringify(audit.repeated)}, skipped ${JSON.stringify(audit.skipped)}`,
    );
    const before = extra.before?.length ?? saved.length;
    const during = extra.savedDuring?.length ?? 0;
    const result = {
      variant: label,
      ok: v.ok,
      expectations: v.rows,
      timeline: t,
      orders: {
        before,
        during,
        after: saved.length - before - during,
        first: audit.first,
        last: audit.last,
        lost: audit.lost,
        repeated: audit.repeated.length,
        skipped: audit.skipped.length,
      },
      policy,
    };
    printVerdict(result, fmt);
    return result;
  }
}

function printVerdict(r, fmt) {
  heading(`Verdict for ${r.variant}: ${r.ok ? chalk.green("PASS") : chalk.red("FAIL")}`);
  const w = Math.max(...r.expectations.map((x) => x.name.length));
  for (const x of r.expectations) {
    write(
      `  ${x.ok ? chalk.green("✔ met    ") : chalk.red("✘ missing")}  ${x.name.padEnd(w)}  ${x.at === undefined ? "" : `at ${x.at.toFixed(1)} s`}\n`,
    );
  }
  const t = r.timeline;
  write(
    `\n  Outage timeline: Redis down ${fmt(t.redisDown)} → first retry ${fmt(t.firstRetry)} → breaker open ${fmt(t.breakerOpen)} → half-open ${fmt(t.halfOpen)} → open again ${fmt(t.reopen)}\n`,
  );
  write(
    `                   Redis up ${fmt(t.redisUp)} → recovered ${fmt(t.recovered)} → next order ${fmt(t.nextOrder)}\n`,
  );
  const o = r.orders;
  write(
    `  Orders: ${o.before} saved before the outage, ${o.during} during, ${o.after} after${o.first === undefined ? "" : ` (ids ${o.first}..${o.last})`}; lost ${o.lost}, repeated ${o.repeated}, skipped ${o.skipped}\n`,
  );
}

/** `demo.mjs walkthrough`: returns the exit code. */
export async function runWalkthrough(argv) {
  const opts = parseWalkthroughArgs(argv);
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.json) sendHumanOutputTo(process.stderr);
  const { redis, checked } = await ensurePrerequisites({ redisMode: opts.redis, needRedisControl: true });
  const { policy } = checked;
  if (!policy)
    throw new UsageError(
      "resources/resiliency.yaml has no outbound policy for the statestore component: nothing to walk through.",
      "Restore resources/resiliency.yaml (see the README).",
    );
  const results = [];
  for (const variant of opts.variants) {
    const command = opts.command ?? [process.execPath, VARIANTS[variant].main];
    const label = opts.command ? opts.command.join(" ") : VARIANTS[variant].project;
    const started = Date.now();
    const result = await walkOne({
      label,
      command,
      redis,
      policy,
      store: "statestore",
      outageMs: opts.outageMs,
      verbose: opts.verbose,
    });
    result.seconds = (Date.now() - started) / 1000;
    results.push(result);
  }
  if (results.length > 1) {
    heading("All variants");
    for (const r of results)
      write(
        `  ${r.ok ? chalk.green("PASS") : chalk.red("FAIL")}  ${r.variant.padEnd(10)} ${r.seconds.toFixed(0)} s, orders ${r.orders.first}..${r.orders.last}, lost ${r.orders.lost}, repeated ${r.orders.repeated}\n`,
      );
  }
  const ok = results.every((r) => r.ok);
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
  if (!ok) {
    const missing = results.flatMap((r) => r.expectations.filter((x) => !x.ok).map((x) => `${r.variant}: ${x.name}`));
    process.stderr.write(`\n✖ walkthrough failed; not met:\n  ${missing.join("\n  ")}\n`);
  }
  return ok ? 0 : 1;
}
