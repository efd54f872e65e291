// @ts-check
// The failover demo: a Sentinel-managed Redis pair, an order-processor
// beside a real daprd that finds the primary through the Sentinels, and N
// rounds of: kill the primary (SIGKILL) right after an order was saved,
// Sentinel promotes a replica, daprd follows, orders go on at the next id;
// the old primary restarts as a replica and must replicate before the next
// round; every saved order must be on the new primary and the replicas.
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { startSidecar } from "../../stack/sidecar.mjs";
import { writeRunResources, checkResources } from "../../stack/resources.mjs";
import { Recorder, sequenceCheck } from "../../stack/recorder.mjs";
import { auditNodes, daprdFacts } from "./audit.mjs";
import { resiliencyLines } from "../../stack/daprd-log.mjs";
import { printEvent } from "../../cli/stream.mjs";
import { heading, say, secondsSinceStart, waiting } from "../../cli/console.mjs";
import { VARIANTS } from "../../stack/paths.mjs";
import { SentinelCluster } from "../../stack/sentinel-cluster.mjs";
import { SENTINEL_TIMING, storeMetadata } from "../../stack/sentinel-config.mjs";
import { Verdict, printVariant } from "./report.mjs";

/** @typedef {import("./report.mjs").RoundResult} RoundResult */
/** @typedef {import("./report.mjs").VariantResult} VariantResult */
/** @typedef {import("./report.mjs").NodeAudit} NodeAudit */
/** @typedef {import("../../stack/sidecar.mjs").Sidecar} SidecarHandle */
/** @typedef {{ source?: string, msg?: string, line?: string, at: number, order?: { kind: string, id: number } }} Event */

export const NEXT_ORDER_TARGET_S = 10;
const ROUND_TIMEOUT_MS = 60_000;
/** Sentinel events worth a line: the failure seen, agreed, and the switch. */
const SHOWN = new Set(["+sdown", "+odown", "+elected-leader", "+promoted-slave", "+switch-master"]);

/**
 * One variant: its own cluster, app and daprd, `rounds` failovers, the final audit.
 * @param {object} o
 * @param {string} o.variant sdk, http or grpc
 * @param {number} o.rounds
 * @param {import("../../stack/sentinel-config.mjs").Durability} [o.durability]
 * @param {number} [o.replicas]
 * @param {number} [o.intervalMs]
 * @param {number} [o.downAfterMs]
 * @param {boolean} [o.quiet] print nothing live (tests)
 * @returns {Promise<VariantResult>}
 */
export async function failoverVariant({
  variant,
  rounds,
  durability = "async",
  replicas = 1,
  intervalMs = 500,
  downAfterMs = SENTINEL_TIMING.downAfterMs,
  quiet = false,
}) {
  const project = VARIANTS[/** @type {keyof typeof VARIANTS} */ (variant)].project;
  const v = new Verdict("failover", { quiet });
  const recorderOptions = {
    t0: Date.now() - secondsSinceStart() * 1000,
    onEvent: (/** @type {Event} */ e) => {
      if (quiet || (e.source === "app" && intervalMs < 100)) return; // at full speed the order lines would drown the rest
      printEvent({ ...e, label: "app" });
    },
  };
  const rec = new Recorder(recorderOptions);
  const lines = resiliencyLines("statestore", checkResources().policy?.breakerName);
  /** @type {{ at: number, event: string, detail: string }[]} */
  const sentinelLog = [];
  const shownThisRound = new Set();
  const cluster = new SentinelCluster({
    replicas,
    durability,
    downAfterMs,
    onSentinelEvent: (e) => {
      sentinelLog.push({ at: rec.now(), event: e.event, detail: e.detail });
      const key = `${e.event} ${e.detail}`;
      if (!quiet && SHOWN.has(e.event) && !shownThisRound.has(key)) {
        shownThisRound.add(key);
        say("sentinel", `${e.event} ${e.detail}`);
      }
    },
  });
  /** @type {RoundResult[]} */
  const results = [];
  /** @type {SidecarHandle | undefined} */
  let sidecar;
  let resourcesDir;
  try {
    if (!quiet) heading(`1. ${project}: a Redis primary, ${replicas} replica(s) and three Sentinels on loopback`);
    await waiting("starting Redis and the Sentinels", cluster.start());
    let primary = cluster.primaryPort;
    let reps = cluster.nodes.slice(1).map((n) => n.port);
    if (!quiet)
      say(
        "failover",
        `primary ${primary}, replica(s) ${reps.join(", ")}, Sentinels ${cluster.sentinels.map((s) => s.port).join(", ")} (quorum 2, down-after ${downAfterMs} ms, failover-timeout ${SENTINEL_TIMING.failoverTimeoutMs} ms; durability ${durability})`,
      );

    resourcesDir = writeRunResources({ metadata: storeMetadata(cluster.sentinels.map((s) => s.port)) });
    const sidecarOptions = {
      command: [process.execPath, VARIANTS[/** @type {keyof typeof VARIANTS} */ (variant)].main],
      resourcesDir,
      env: { ORDER_INTERVAL_MS: String(intervalMs) },
      onLine: (/** @type {object} */ e) => rec.push(e),
    };
    sidecar = await startSidecar(sidecarOptions);
    const flowing = await waiting(
      "waiting for orders to flow",
      rec.waitFor(() => rec.events.filter((/** @type {Event} */ e) => e.order?.kind === "getting").length >= 3, {
        timeoutMs: 45_000,
      }),
    );
    v.check(
      `${project} beside daprd finds the primary through the Sentinels; orders flow`,
      flowing,
      flowing ? "three Saving/Getting pairs" : "no orders within 45 s",
    );
    if (!flowing) return finish();

    for (let round = 1; round <= rounds; round++) {
      if (!quiet)
        heading(`Round ${round}/${rounds}: kill the primary ${primary} (SIGKILL) right after an order was saved`);
      shownThisRound.clear();
      const r = await oneRound(round, primary, reps);
      results.push(r);
      if (!r.ok || r.newPrimary === undefined) break;
      reps = [...reps.filter((p) => p !== r.newPrimary), primary];
      primary = r.newPrimary;
    }
    return await finish();
  } finally {
    await sidecar?.stop();
    await cluster.stop();
    if (resourcesDir) fs.rmSync(resourcesDir, { recursive: true, force: true });
  }

  /**
   * @param {number} round
   * @param {number} primary
   * @param {number[]} reps
   * @returns {Promise<RoundResult>}
   */
  async function oneRound(round, primary, reps) {
    const rv = new Verdict(`round ${round}`, { quiet });
    const from = rec.events.length;
    // The riskiest moment for an acknowledged write: the app has just printed "Saving Order".
    await rec.waitFor((/** @type {Event} */ e) => e.order?.kind === "saving", { from, timeoutMs: 30_000 });
    // Lines arrive in chunks, so more orders may have been printed since: the last one before the kill counts.
    const killIdx = rec.events.length;
    const logIdx = sentinelLog.length;
    await cluster.killNode(primary);
    const lastBefore = /** @type {Event[]} */ (rec.events.slice(0, killIdx)).findLast((e) => e.order?.kind === "saving")
      ?.order?.id;
    const tKill = rec.now();
    if (!quiet) say("redis", `primary ${primary} killed (SIGKILL) right after order ${lastBefore} was saved`);
    const rel = (/** @type {number | undefined} */ at) => (at === undefined ? undefined : Math.max(0, at - tKill));

    // Sentinel's switch, two ways: its log line and what it answers when asked.
    const deadline = Date.now() + ROUND_TIMEOUT_MS;
    /** @type {number | undefined} */
    let newPrimary;
    /** @type {number | undefined} */
    let tAsked;
    while (Date.now() < deadline) {
      const p = await cluster.askedPrimary();
      if (p !== undefined && p !== primary) {
        newPrimary = p;
        tAsked = rec.now();
        break;
      }
      await sleep(100);
    }
    // The poll can answer before the log line is read: give the line a moment.
    const switchLine = () => sentinelLog.slice(logIdx).find((e) => e.event === "+switch-master");
    for (let i = 0; i < 30 && newPrimary !== undefined && !switchLine(); i++) await sleep(100);
    const sw = switchLine();
    rv.check(
      "Sentinel promotes a replica",
      newPrimary !== undefined && reps.includes(newPrimary),
      newPrimary
        ? `${primary} → ${newPrimary}, +switch-master ${rel(sw?.at)?.toFixed(1) ?? "?"} s after the kill`
        : `no switch within ${ROUND_TIMEOUT_MS / 1000} s`,
    );

    // The old primary is restarted at once, as a replica of the new one (what an orchestrator does),
    // while the app waits for daprd: with durability "safe" and one replica, the new primary takes
    // writes only once a replica is back.
    const others = newPrimary === undefined ? [] : [...reps.filter((p) => p !== newPrimary), primary];
    const rejoin =
      newPrimary === undefined
        ? Promise.resolve({ ok: /** @type {true | string} */ ("no new primary"), at: undefined })
        : (async (np) => {
            await cluster.restartAsReplica(primary, np);
            if (!quiet) say("redis", `${primary} restarted as a replica of ${np}`);
            const ok = await cluster
              .waitReplicating(np, others)
              .then(() => cluster.waitSentinelsAgree(np, others))
              .then(
                () => /** @type {true | string} */ (true),
                (/** @type {Error} */ err) => err.message,
              );
            return { ok, at: rec.now() };
          })(newPrimary);

    const next = /** @type {Event | undefined} */ (
      await waiting(
        "waiting for the next order",
        rec.waitFor((/** @type {Event} */ e) => e.order?.kind === "saving", {
          from: killIdx,
          timeoutMs: Math.max(0, deadline - Date.now()),
        }),
      )
    );
    rv.check(
      "daprd follows: orders go on at exactly the next id",
      next && lastBefore !== undefined && next.order?.id === lastBefore + 1,
      next ? `order ${next.order?.id} after ${lastBefore}` : "no order after the kill",
    );
    const tNext = rel(next?.at);
    rv.check(
      `next order ≤ ${NEXT_ORDER_TARGET_S} s after the primary died`,
      tNext !== undefined && tNext <= NEXT_ORDER_TARGET_S,
      tNext === undefined ? "none" : `${tNext.toFixed(1)} s`,
      { target: true },
    );

    // daprd's side of the round: its retries, the breaker, the recovery.
    const { daprdRetries, breakerOpened, firstRetry, recovered, attempts } = daprdFacts(
      /** @type {Event[]} */ (rec.events.slice(killIdx)),
      lines,
    );

    const rejoined = await rejoin;
    const tRejoined = rel(rejoined.at);
    if (newPrimary !== undefined)
      rv.check(
        "the old primary rejoins as a replica (a probe write reaches it; every Sentinel sees it up)",
        rejoined.ok === true,
        rejoined.ok === true ? `${primary} follows ${newPrimary}` : String(rejoined.ok),
      );

    const more = await rec.waitFor(() => rec.savedOrders().filter((id) => id > (lastBefore ?? 0)).length >= 3, {
      timeoutMs: 30_000,
    });
    rv.check(
      "orders keep flowing",
      more,
      `${rec.savedOrders().filter((id) => id > (lastBefore ?? 0)).length} since the kill`,
    );

    const saved = rec.savedOrders();
    // A second failover in the round (nobody killed anything) would mean Sentinel judged a live primary dead.
    const switches = new Set(
      sentinelLog
        .slice(logIdx)
        .filter((e) => e.event === "+switch-master")
        .map((e) => e.detail),
    );
    const nowPrimary = await cluster.askedPrimary();
    rv.check(
      "no failover besides the one caused",
      switches.size <= 1 && nowPrimary === newPrimary,
      switches.size <= 1 ? `Sentinels name ${nowPrimary}` : `switches: ${[...switches].join("; ")}`,
    );
    /** @type {NodeAudit[]} */
    let audit = [];
    if (newPrimary !== undefined) {
      try {
        audit = await auditNodes(cluster, newPrimary, others, saved);
      } catch (err) {
        rv.check("audit of the new primary and the replicas", false, /** @type {Error} */ (err).message);
      }
    }
    for (const a of audit)
      rv.check(
        `the ${a.role} ${a.port} holds every order the app reported saved`,
        a.missing + a.wrong === 0,
        `${saved.length} saved, ${a.missing} missing, ${a.wrong} wrong`,
      );
    const full = sequenceCheck(saved);
    rv.check(
      "no order repeated or skipped",
      full.repeated.length + full.skipped.length === 0,
      `repeated ${full.repeated.length}, skipped ${full.skipped.length}`,
    );

    return {
      round,
      oldPrimary: primary,
      oldReplicas: reps,
      newPrimary,
      t: {
        switch: rel(sw?.at),
        asked: rel(tAsked),
        firstRetry: rel(firstRetry),
        recovered: rel(recovered),
        nextOrder: tNext,
        rejoined: tRejoined,
      },
      attempts,
      daprdRetries,
      breakerOpened,
      lastBefore,
      next: next?.order?.id,
      audit,
      sequence: { repeated: full.repeated, skipped: full.skipped },
      rows: rv.rows,
      ok: rv.ok,
    };
  }

  /**
   * Stops the app, checks it stopped cleanly, and audits the whole run on every node.
   * @returns {Promise<VariantResult>}
   */
  async function finish() {
    if (sidecar) {
      await sidecar.stop();
      const exit = await sidecar.appExited;
      v.check("the app stops cleanly on SIGTERM", exit.code === 0, `exit code ${exit.code ?? exit.signal}`);
    }
    const saved = rec.savedOrders();
    let lost = 0;
    // Whatever happened in the rounds, audit the primary the Sentinels name now and every running replica.
    const primary = await cluster.askedPrimary();
    const reps = cluster.nodes.map((n) => n.port).filter((p) => p !== primary && cluster.isRunning(p));
    try {
      if (primary === undefined) throw new Error("no Sentinel names a primary");
      for (const a of await auditNodes(cluster, primary, reps, saved)) {
        lost = Math.max(lost, a.missing + a.wrong);
        v.check(
          `final audit: the ${a.role} ${a.port} holds all ${saved.length} orders`,
          a.missing + a.wrong === 0,
          `${a.missing} missing, ${a.wrong} wrong`,
        );
      }
    } catch (err) {
      lost = saved.length;
      v.check("final audit of every node", false, /** @type {Error} */ (err).message);
    }
    const seq = sequenceCheck(saved);
    const result = {
      variant: project,
      durability,
      ok: v.ok && results.length === rounds && results.every((r) => r.ok),
      rounds: results,
      rows: v.rows,
      orders: {
        saved: saved.length,
        first: seq.first,
        last: seq.last,
        lost,
        repeated: seq.repeated.length,
        skipped: seq.skipped.length,
      },
    };
    if (!quiet) printVariant(result);
    return result;
  }
}
