// @ts-check
// What a failover round leaves behind, checked: the orders on every node and
// in the app's output, and daprd's resiliency lines. Sized for a run at full
// speed (tens of thousands of orders, checked after every round on every
// node): the keys read in pipelined batches, and the order sequence checked by
// recorder.mjs's sequenceCheck.
import { classify } from "../../stack/daprd-log.mjs";
import { isStoredOrder } from "../../stack/recorder.mjs";

/** @typedef {import("./report.mjs").NodeAudit} NodeAudit */
/**
 * What the audit needs of a Redis client.
 * @typedef {{ sendCommand(args: string[]): Promise<unknown>, hGet(key: string, field: string): Promise<unknown> }} NodeClient
 */

/**
 * Whether a stored hash field holds this order.
 * @param {number} id
 * @param {unknown} data the "data" field of `<appId>||<id>`
 * @returns {"ok" | "missing" | "wrong"}
 */
export function judgeStored(id, data) {
  if (data === null || data === undefined) return "missing";
  return typeof data === "string" && isStoredOrder(data, id) ? "ok" : "wrong";
}

/**
 * Reads every saved order from one node, 500 keys per pipelined batch.
 * @param {Pick<NodeClient, "hGet">} client
 * @param {number[]} saved
 * @returns {Promise<{ missing: number[], wrong: number[] }>}
 */
export async function auditNode(client, saved, appId = "order-processor") {
  const ids = [...new Set(saved)];
  /** @type {number[]} */
  const missing = [];
  /** @type {number[]} */
  const wrong = [];
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const values = await Promise.all(batch.map((id) => client.hGet(`${appId}||${id}`, "data")));
    batch.forEach((id, j) => {
      const verdict = judgeStored(id, values[j]);
      if (verdict === "missing") missing.push(id);
      else if (verdict === "wrong") wrong.push(id);
    });
  }
  return { missing, wrong };
}

/**
 * Audits the saved orders on every node: the primary first, then (after WAIT, so a replica is not
 * judged on a write still in flight) each replica.
 * @param {{ with<T>(port: number, fn: (c: NodeClient) => Promise<T>): Promise<T> }} cluster a SentinelCluster
 * @param {number} primary
 * @param {number[]} replicas
 * @param {number[]} saved
 * @returns {Promise<NodeAudit[]>}
 */
export async function auditNodes(cluster, primary, replicas, saved) {
  await cluster.with(primary, (c) => c.sendCommand(["WAIT", String(replicas.length), "2000"]));
  const out = [];
  for (const [port, role] of [[primary, "primary"], ...replicas.map((r) => [r, "replica"])]) {
    const a = await cluster.with(/** @type {number} */ (port), (c) => auditNode(c, saved));
    out.push({
      port: /** @type {number} */ (port),
      role: /** @type {string} */ (role),
      missing: a.missing.length,
      wrong: a.wrong.length,
    });
  }
  return out;
}

/**
 * daprd's side of a round, from the events after the kill (classify() is the one matcher of daprd's lines).
 * @param {{ source?: string, msg?: string, at: number }[]} events
 * @param {import("../../stack/daprd-log.mjs").ResiliencyLines} lines
 */
export function daprdFacts(events, lines) {
  let daprdRetries = 0;
  let breakerOpened = false;
  /** @type {number | undefined} */
  let firstRetry;
  /** @type {number | undefined} */
  let recovered;
  /** @type {number | undefined} */
  let attempts;
  for (const e of events) {
    const c = classify(e, lines);
    if (c?.kind === "retry") {
      daprdRetries++;
      firstRetry ??= e.at;
    } else if (c?.kind === "transition" && c.to === "open") breakerOpened = true;
    else if (c?.kind === "recovered" && recovered === undefined) {
      recovered = e.at;
      attempts = c.attempts;
    }
  }
  return { daprdRetries, breakerOpened, firstRetry, recovered, attempts };
}
