// @ts-check
// The soak's checker: from what each app printed, what Redis held at each
// checkpoint, when each fault really began and ended, and how each app ended,
// it finds every gap, repeat, lost or changed order, app exit, stall and
// unrecovered daprd restart, each named with the faults active at that moment.
// Pure: the runner collects, this judges (and its unit tests feed it fakes).
import { auditOrders, sequenceCheck } from "../../stack/recorder.mjs";
import { faultName } from "./schedule.mjs";

/**
 * A fault as it really happened (the runner's clock, seconds since the soak's start).
 * @typedef {object} DoneFault
 * @property {number} n
 * @property {string} lane
 * @property {string} kind
 * @property {string} [target]
 * @property {number} startS
 * @property {number} endS     when it was cleared (daprd-kill: when daprd was started again)
 * @property {string} [error]  the fault could not be applied or cleared
 * @property {PartitionFacts} [facts] a partition: what it saw
 */
/**
 * What one partition saw (inject.mjs).
 * @typedef {object} PartitionFacts
 * @property {number} oldPrimary
 * @property {number} newPrimary
 * @property {number} promotedAfterS   from the cut to the Sentinels naming the new primary
 * @property {number} oldPrimaryTook    daprd's writes the cut-off primary took between the cut and the promotion
 * @property {number} oldPrimaryRefused and refused (NOREPLICAS, with --durability safe)
 */
/**
 * What the docs promise about acknowledged orders in a partition: undefined, none (async: every order the
 * cut-off primary acknowledged is lost, a finding); a number, that only orders acknowledged within that many
 * seconds of the cut may be lost (safe: the primary refuses writes once its replica is silent).
 * @typedef {{ lossWindowS: number | undefined }} PartitionPromise
 */
/**
 * An acknowledged order lost in a partition, where the docs say one can be: the finding, not a failure.
 * @typedef {object} Loss
 * @property {string} appId
 * @property {number} order
 * @property {number} at      when the app reported it saved
 * @property {string} fault   the partition's name
 * @property {number} afterCutS
 */
/** @typedef {{ id: number, at: number }} Save one "Saving Order" line, seconds since the soak's start */
/**
 * @typedef {object} DaprdRestart
 * @property {number} at        when the soak started daprd again
 * @property {number} [readyAt] when it answered healthy (undefined: it never did)
 * @property {number} [attempts] how many daprd it took (one exits at start while the store is unreachable)
 * @property {string} [error]
 */
/**
 * One app of the soak, as the runner saw it.
 * @typedef {object} AppRun
 * @property {string} appId
 * @property {string} style
 * @property {Save[]} saves
 * @property {{ at: number, code: number | null, signal?: string | null }} [exitedByItself] the app ended before the soak stopped it
 * @property {DaprdRestart[]} daprdRestarts
 */
/**
 * Redis read at one moment: each order an app had reported saved, with its stored value (null: absent).
 * @typedef {object} StoreCheck
 * @property {number} at
 * @property {string} label           "checkpoint" or "final"
 * @property {Record<string, { saved: number[], stored: Map<number, string | null> }>} apps by app id
 */
/**
 * @typedef {object} Problem
 * @property {string} appId
 * @property {"gap" | "repeat" | "missing" | "wrong" | "exit" | "stall" | "daprd" | "fault"} what
 * @property {number} [order]
 * @property {number} at        seconds since the soak's start
 * @property {string[]} faults  the faults active at that moment (or, if none, the last one before it)
 * @property {string} text      the whole sentence
 */
/**
 * One stretch of overlapping faults, and how long each app took to save again after it.
 * @typedef {object} Cluster
 * @property {number} startS
 * @property {number} endS
 * @property {string[]} faults   names
 * @property {string[]} kinds    each fault's kind, in start order (a kind may repeat)
 * @property {Record<string, number | null>} recoveryS by app id: first save after endS; null: none within the bound
 * @property {Record<string, number>} [stallS] by app id: the longest time without a save that overlaps the cluster
 */

/**
 * What docs/failover.md promises about acknowledged orders in a partition. async: nothing (the cut-off primary
 * acknowledges until daprd follows the Sentinels: a finding, not a failure). safe: the primary refuses writes
 * once its replica has not acknowledged for more than min-replicas-max-lag (1 s); the replica acknowledges once
 * a second and the primary checks once a second, so an order acknowledged over 1 + 2 s after the cut, plus
 * 1 s for a loaded machine, breaks the promise. consistency "strong" adds a WAIT that times out after 1 s and
 * still counts as success (components-contrib state/redis), so it promises no more than its durability.
 * @param {import("../../stack/sentinel-config.mjs").Durability} durability
 * @returns {import("./checker.mjs").PartitionPromise}
 */
export const partitionPromise = (durability) => ({ lossWindowS: durability === "safe" ? 4 : undefined });

/**
 * The faults active at `at`; if none, the last one that ended before it (a loss shows after its cause).
 * @param {DoneFault[]} faults @param {number} at
 * @returns {string[]}
 */
export function faultsAt(faults, at) {
  const active = faults.filter((f) => f.startS <= at && at <= f.endS);
  if (active.length) return active.map(faultName);
  const before = faults.filter((f) => f.endS < at).sort((a, b) => b.endS - a.endS)[0];
  return before ? [`none (last: ${faultName(before)}, cleared ${(at - before.endS).toFixed(1)} s before)`] : ["none"];
}

/**
 * Overlapping faults, merged: recovery is measured from the moment all of them are gone.
 * @param {DoneFault[]} faults
 * @returns {DoneFault[][]}
 */
export function clusters(faults) {
  const sorted = [...faults].sort((a, b) => a.startS - b.startS);
  /** @type {DoneFault[][]} */
  const out = [];
  let end = -Infinity;
  for (const f of sorted) {
    const last = out.at(-1);
    if (last && f.startS <= end) last.push(f);
    else out.push([f]);
    end = Math.max(f.startS <= end ? end : -Infinity, f.endS);
  }
  return out;
}

/** @param {Save[]} saves @param {number} after @returns {Save | undefined} */
const firstSaveAfter = (saves, after) => saves.find((s) => s.at > after);

/**
 * Judges a soak.
 * @param {object} o
 * @param {AppRun[]} o.apps
 * @param {DoneFault[]} o.faults
 * @param {StoreCheck[]} o.checks  checkpoints and the final read
 * @param {number} o.boundS        the longest an app may take to save again after its faults clear
 * @param {number} o.endS          when the soak stopped the apps
 * @param {PartitionPromise} [o.partition] with partitions: what may be lost in one
 */
export async function judge({ apps, faults, checks, boundS, endS, partition }) {
  /** @type {Problem[]} */
  const problems = [];
  /** @type {Loss[]} */
  const losses = [];
  const partitions = faults.filter((f) => f.kind === "partition");
  /** The partition an order acknowledged at `at` was lost in, if the docs allow that loss. @param {number} at */
  const allowedLoss = (at) => {
    const p = partitions.find((f) => f.startS <= at && at <= f.endS);
    if (!p || !partition) return undefined;
    const w = partition.lossWindowS;
    return w === undefined || at - p.startS <= w ? p : undefined;
  };
  /** @param {Omit<Problem, "faults" | "text">} p @param {string} sentence */
  const report = (p, sentence) => {
    const active = faultsAt(faults, p.at);
    problems.push({
      ...p,
      faults: active,
      text: `${p.appId}: ${sentence} at ${p.at.toFixed(1)} s; faults active then: ${active.join(", ")}`,
    });
  };

  for (const app of apps) {
    const ids = app.saves.map((s) => s.id);
    const seq = sequenceCheck(ids);
    const savedAt = new Map();
    for (const s of app.saves) if (!savedAt.has(s.id)) savedAt.set(s.id, s.at);
    for (const id of new Set(seq.repeated)) {
      const second = app.saves.filter((s) => s.id === id)[1];
      report({ appId: app.appId, what: "repeat", order: id, at: second?.at ?? 0 }, `order ${id} saved twice`);
    }
    for (const id of seq.skipped) {
      const next = app.saves.find((s, i) => s.id > id && (app.saves[i - 1]?.id ?? Infinity) < id);
      report({ appId: app.appId, what: "gap", order: id, at: next?.at ?? 0 }, `order ${id} skipped`);
    }
    // Lost or changed in Redis: each order once, at the first read that saw it so.
    const seen = new Set();
    for (const check of checks) {
      const read = check.apps[app.appId];
      if (!read) continue;
      const audit = await auditOrders(read.saved, {
        hGet: async (key) => read.stored.get(Number(key.split("||")[1])) ?? null,
      });
      for (const id of audit.missing) {
        if (seen.has(`m${id}`)) continue;
        seen.add(`m${id}`);
        const at = savedAt.get(id) ?? check.at;
        const p = allowedLoss(at);
        if (p) {
          const afterCutS = Math.round((at - p.startS) * 10) / 10;
          losses.push({ appId: app.appId, order: id, at, fault: faultName(p), afterCutS });
          continue;
        }
        report(
          { appId: app.appId, what: "missing", order: id, at: savedAt.get(id) ?? check.at },
          `order ${id} reported saved, missing from Redis at the ${check.label} read (${check.at.toFixed(1)} s); saved`,
        );
      }
      for (const { id, data } of audit.wrong) {
        if (seen.has(`w${id}`)) continue;
        seen.add(`w${id}`);
        report(
          { appId: app.appId, what: "wrong", order: id, at: savedAt.get(id) ?? check.at },
          `order ${id} stored as ${JSON.stringify(data)} at the ${check.label} read (${check.at.toFixed(1)} s); saved`,
        );
      }
    }
    if (app.exitedByItself) {
      const { at, code, signal } = app.exitedByItself;
      report(
        { appId: app.appId, what: "exit", at },
        `the app exited by itself (code ${code}, signal ${signal ?? "none"})`,
      );
    }
    for (const r of app.daprdRestarts) {
      const next = r.readyAt === undefined ? undefined : firstSaveAfter(app.saves, r.readyAt);
      if (r.readyAt === undefined || r.error) {
        report(
          { appId: app.appId, what: "daprd", at: r.at },
          `daprd, started again, never became ready (${r.error ?? "no answer"})`,
        );
      } else if (!next || next.at - r.readyAt > boundS) {
        report(
          { appId: app.appId, what: "daprd", at: r.readyAt },
          `no order saved within ${boundS} s of daprd's restart`,
        );
      }
    }
  }

  /** @type {Cluster[]} */
  const recovered = clusters(faults).map((group) => {
    const startS = Math.min(...group.map((f) => f.startS));
    const end = Math.max(...group.map((f) => f.endS));
    /** @type {Record<string, number | null>} */
    const recoveryS = {};
    for (const app of apps) {
      const next = firstSaveAfter(app.saves, end);
      const took = next ? next.at - end : undefined;
      recoveryS[app.appId] = took !== undefined && took <= boundS ? Math.round(took * 10) / 10 : null;
      if (recoveryS[app.appId] === null && end + boundS <= endS && !app.exitedByItself) {
        report(
          { appId: app.appId, what: "stall", at: end },
          `no order saved within ${boundS} s after the faults cleared (${took === undefined ? "none before the end" : `next after ${took.toFixed(1)} s`})`,
        );
      }
    }
    /** @type {Record<string, number>} */
    const stallS = {};
    for (const app of apps) stallS[app.appId] = longestGap(app.saves, startS, end);
    return { startS, endS: end, faults: group.map(faultName), kinds: group.map((f) => f.kind), recoveryS, stallS };
  });
  for (const f of faults.filter((x) => x.error)) {
    problems.push({
      appId: "-",
      what: "fault",
      at: f.startS,
      faults: [faultName(f)],
      text: `fault ${faultName(f)} failed: ${f.error}`,
    });
  }
  return {
    ok: problems.length === 0,
    problems,
    clusters: recovered,
    worst: worstByKind(recovered),
    ...(partition ? { losses, partitions: perPartition(partitions, losses) } : {}),
  };
}

/**
 * Each partition with what it saw and the acknowledged orders lost in it, by app.
 * @param {DoneFault[]} partitions @param {Loss[]} losses
 */
export function perPartition(partitions, losses) {
  return partitions.map((p) => {
    /** @type {Record<string, number[]>} */
    const lost = {};
    for (const l of losses.filter((x) => x.fault === faultName(p))) (lost[l.appId] ??= []).push(l.order);
    return { name: faultName(p), startS: p.startS, endS: p.endS, facts: p.facts, lost };
  });
}

/**
 * @typedef {object} KindWorst
 * @property {number} count
 * @property {number | null} worstS  the longest recovery after it (null: an app did not recover within the bound)
 * @property {string} [app]          whose
 * @property {number} stallS         the longest stretch without a save, over apps, overlapping it
 * @property {string} [stallApp]
 */

/**
 * The longest time between two saves (or a save and the end of the saves) that overlaps [from, to], to 0.1 s.
 * @param {Save[]} saves @param {number} from @param {number} to
 */
export function longestGap(saves, from, to) {
  let worst = 0;
  for (let i = 1; i < saves.length; i++) {
    const a = /** @type {Save} */ (saves[i - 1]);
    const b = /** @type {Save} */ (saves[i]);
    if (b.at >= from && a.at <= to) worst = Math.max(worst, b.at - a.at);
  }
  return Math.round(worst * 10) / 10;
}

/**
 * The longest recovery seen after each kind of fault (over apps and its clusters), and how often it came.
 * A kind inside a cluster of overlapping faults is charged the whole cluster's recovery.
 * @param {Cluster[]} cs
 * @returns {Record<string, KindWorst>}
 */
export function worstByKind(cs) {
  /** @type {Record<string, KindWorst>} */
  const out = {};
  for (const c of cs) {
    for (const kind of c.kinds) (out[kind] ??= { count: 0, worstS: 0, stallS: 0 }).count++;
    for (const kind of new Set(c.kinds)) {
      const w = /** @type {KindWorst} */ (out[kind]);
      for (const [app, st] of Object.entries(c.stallS ?? {})) {
        if (st > w.stallS || w.stallApp === undefined)
          Object.assign(w, { stallS: Math.max(st, w.stallS), stallApp: app });
      }
      for (const [app, s] of Object.entries(c.recoveryS)) {
        if (w.worstS === null) continue;
        if (s === null) Object.assign(w, { worstS: null, app });
        else if (s > w.worstS || w.app === undefined) Object.assign(w, { worstS: s, app });
      }
    }
  }
  return out;
}
