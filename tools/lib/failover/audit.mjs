// @ts-check
// The failover audit, sized for a run at full speed (tens of thousands of
// orders, checked after every round on every node): one pass over the ids,
// and the keys read in pipelined batches. recorder.mjs's auditOrders does the
// same checks one key at a time, with a quadratic duplicate search.

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
 * Whether a stored hash field holds this order.
 * @param {number} id
 * @param {string | null | undefined} data the "data" field of `<appId>||<id>`
 * @returns {"ok" | "missing" | "wrong"}
 */
export function judgeStored(id, data) {
  if (data === null || data === undefined) return "missing";
  try {
    return JSON.parse(data)?.orderId === String(id) ? "ok" : "wrong";
  } catch {
    return "wrong";
  }
}

/**
 * Reads every saved order from one node, 500 keys per pipelined batch.
 * @param {{ hGet(key: string, field: string): Promise<string | null | undefined> }} client
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
