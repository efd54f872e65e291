// @ts-check
// Keeps every line an app and its daprd print, with the time it arrived,
// and lets a caller wait for a line that matches, like reading the child's
// output for a log line in a zx script.
import { parseOrderLine, storedOrderId } from "@dapr-resiliency/order-model";

/**
 * @typedef {import("@dapr-resiliency/order-model").OrderLine} OrderLine
 * @typedef {object} RecordedEvent one line from the app or daprd, as it arrived
 * @property {string} [source]   "app" or "daprd"
 * @property {string} [stream]   "stdout" or "stderr" (app lines)
 * @property {string} [line]     the raw line
 * @property {string} [msg]      daprd's msg="…" (parsed logfmt)
 * @property {string} [level]    daprd's level
 * @property {string} [label]
 * @property {number} at         seconds since t0
 * @property {OrderLine} [order] what an app's stdout line says about an order
 * @typedef {(e: RecordedEvent) => unknown} EventMatch
 */

export class Recorder {
  /** @param {{ t0?: number, onEvent?: (e: RecordedEvent) => void }} [o] */
  constructor({ t0 = Date.now(), onEvent } = {}) {
    this.t0 = t0;
    /** @type {RecordedEvent[]} */
    this.events = [];
    /** @type {Set<{ match: EventMatch, resolve: (e: RecordedEvent | undefined) => void }>} */
    this.waiters = new Set();
    this.onEvent = onEvent;
  }
  /** Seconds since t0. */
  now() {
    return (Date.now() - this.t0) / 1000;
  }
  /** @param {Omit<RecordedEvent, "at">} e */
  push(e) {
    /** @type {RecordedEvent} */
    const event = { ...e, at: this.now() };
    if (event.source === "app" && event.stream === "stdout") event.order = parseOrderLine(event.line ?? "");
    this.events.push(event);
    this.onEvent?.(event);
    for (const w of this.waiters) if (w.match(event)) w.resolve(event);
    return event;
  }
  /**
   * The first event (from index `from`) that matches, already seen or yet to come; undefined after timeoutMs.
   * @param {EventMatch} match
   * @param {{ timeoutMs?: number, from?: number }} [o]
   * @returns {Promise<RecordedEvent | undefined>}
   */
  waitFor(match, { timeoutMs = 30_000, from = 0 } = {}) {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      /** @type {{ match: EventMatch, resolve: (e: RecordedEvent | undefined) => void }} */
      const w = {
        match,
        resolve: (e) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(e);
        },
      };
      const timer = setTimeout(() => w.resolve(undefined), timeoutMs);
      this.waiters.add(w);
    });
  }
  /** @param {EventMatch} match @param {number} [from] */
  find(match, from = 0) {
    return this.events.slice(from).find(match);
  }
  /**
   * Ids of the orders the app reported, in the order printed.
   * @param {OrderLine["kind"]} kind
   * @returns {number[]}
   */
  orders(kind) {
    return this.events.flatMap((e) => (e.order?.kind === kind ? [e.order.id] : []));
  }
  /** Order ids the app reported saved (`Saving Order` lines, or its language's spelling), in the order printed. */
  savedOrders() {
    return this.orders("saving");
  }
  /** Order ids the app reported deleted (`Deleting Order` / `Deleted Order`). */
  deletedOrders() {
    return this.orders("deleting");
  }
  appStdout() {
    return this.events.filter((e) => e.source === "app" && e.stream === "stdout").map((e) => e.line);
  }
}

/**
 * Whether a stored value is order `id`, read with the same understanding of an order's spelling
 * as the app's lines (order-model's storedOrderId: JSON, a JSON string, or the raw bytes an SDK saved).
 * @param {string} data @param {number} id
 */
export const isStoredOrder = (data, id) => storedOrderId(data) === id;

/**
 * @typedef {object} OrderAudit
 * @property {number} saved          how many saves the app reported
 * @property {number | undefined} first
 * @property {number | undefined} last
 * @property {number[]} repeated     ids saved more than once
 * @property {number[]} skipped      ids missing between two saved ids
 * @property {number[]} deleted      ids the app reported deleting after saving them: not expected in Redis
 * @property {number | undefined} cutOff  the last order of an app that deletes each order, gone from Redis
 *   although no delete was reported: the app was ended between its delete call and its line. Not lost.
 * @property {number[]} missing      ids saved, not deleted, and not in Redis
 * @property {{ id: number, data: string }[]} wrong stored with another value
 * @property {number} lost           missing + wrong: what the store lost, not what the app deleted
 */

/**
 * Orders the app printed twice, and ids it jumped over. One pass.
 * @param {number[]} saved ids in the order the app printed "Saving Order"
 * @returns {{ repeated: number[], skipped: number[], first: number | undefined, last: number | undefined }}
 */
export function sequenceCheck(saved) {
  const seen = new Set();
  /** @type {number[]} */
  const repeated = [];
  /** @type {number[]} */
  const skipped = [];
  for (let i = 0; i < saved.length; i++) {
    const id = /** @type {number} */ (saved[i]);
    if (seen.has(id)) repeated.push(id);
    seen.add(id);
    const prev = saved[i - 1];
    if (prev !== undefined) for (let s = prev + 1; s < id; s++) skipped.push(s);
  }
  return { repeated, skipped, first: saved[0], last: saved.at(-1) };
}

/**
 * Checks a run's orders against Redis: every order the app reported saved (and
 * did not report deleting afterwards) is stored with its value; none skipped or repeated.
 * @param {number[]} saved ids the app reported saved, in order
 * @param {{ hGet(key: string, field: string): Promise<string | null | undefined> }} redisClient
 * @param {string} [appId]
 * @param {number[]} [deleted] ids the app reported deleted, in order
 * @param {{ endedBySignal?: boolean }} [o] endedBySignal: the app was ended mid-step (by a signal), so
 *   its last delete may have happened without its line
 * @returns {Promise<OrderAudit>}
 */
export async function auditOrders(saved, redisClient, appId = "order-processor", deleted = [], o = {}) {
  const { repeated, skipped } = sequenceCheck(saved);
  const deletedSet = new Set(deleted);
  /** @type {number[]} */
  const missing = [];
  /** @type {{ id: number, data: string }[]} */
  const wrong = [];
  for (const id of new Set(saved)) {
    if (deletedSet.has(id)) continue;
    const data = await redisClient.hGet(`${appId}||${id}`, "data");
    if (data === null || data === undefined) missing.push(id);
    else if (!isStoredOrder(data, id)) wrong.push({ id, data });
  }
  // An app that deletes every order it saves, ended by a signal with only its last order
  // missing: its delete call may have gone through before the signal ended it.
  const last = saved.at(-1);
  let cutOff;
  if (
    o.endedBySignal &&
    last !== undefined &&
    missing.length === 1 &&
    missing[0] === last &&
    saved.slice(0, -1).length > 0 &&
    saved.slice(0, -1).every((id) => deletedSet.has(id))
  ) {
    cutOff = missing.pop();
  }
  return {
    saved: saved.length,
    first: saved[0],
    last: saved.at(-1),
    repeated,
    skipped,
    deleted: [...new Set(saved)].filter((id) => deletedSet.has(id)),
    cutOff,
    missing,
    wrong,
    lost: missing.length + wrong.length,
  };
}
