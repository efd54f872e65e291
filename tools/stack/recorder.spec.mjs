// @ts-check
// The Recorder and the audit, with an in-memory fake of Redis's hGet (a Map):
// unit tests of our own logic only.
import { describe, expect, it } from "vitest";
import { Recorder, auditOrders, isStoredOrder } from "./recorder.mjs";

/** In-memory fake: the state store's hashes, `order-processor||<id>` → data. */
const fakeRedis = (/** @type {Record<number, string>} */ data) => ({
  hGet: async (/** @type {string} */ key) => data[Number(key.split("||")[1])] ?? null,
});

describe("Recorder", () => {
  it("reads saved and deleted orders from the app's stdout in any quickstart's spelling", () => {
    const rec = new Recorder();
    for (const line of [
      "Saving Order: {'orderId': '1'}",
      "Result after get: b\"{'orderId': '1'}\"",
      "Deleting Order: {'orderId': '1'}",
      'Saved Order: {"orderId":2}',
      'Retrieved Order: {"orderId":2}',
    ])
      rec.push({ source: "app", stream: "stdout", line });
    rec.push({ source: "app", stream: "stderr", line: "Saving Order: 9" });
    expect(rec.savedOrders()).toEqual([1, 2]);
    expect(rec.orders("getting")).toEqual([1, 2]);
    expect(rec.deletedOrders()).toEqual([1]);
  });
});

describe("auditOrders", () => {
  it("does not call an order the app said it deleted lost; one missing without a delete is", async () => {
    const a = await auditOrders([1, 2, 3, 4], fakeRedis({ 4: '{"orderId":"4"}' }), "order-processor", [1, 2]);
    expect(a).toMatchObject({ deleted: [1, 2], missing: [3], wrong: [], lost: 1, repeated: [], skipped: [] });
  });
  it("an app that deletes each order, cut off by a signal: its last order, gone, is not lost", async () => {
    const redis = fakeRedis({});
    const cut = await auditOrders([1, 2, 3], redis, "order-processor", [1, 2], { endedBySignal: true });
    expect(cut).toMatchObject({ cutOff: 3, missing: [], lost: 0 });
    // not when it exited by itself, nor when an earlier order is missing too, nor for an app that keeps its orders
    expect(await auditOrders([1, 2, 3], redis, "order-processor", [1, 2])).toMatchObject({
      cutOff: undefined,
      lost: 1,
    });
    expect(await auditOrders([1, 2, 3], redis, "order-processor", [1], { endedBySignal: true })).toMatchObject({
      cutOff: undefined,
      missing: [2, 3],
    });
    expect(await auditOrders([1, 2, 3], redis, "order-processor", [], { endedBySignal: true })).toMatchObject({
      cutOff: undefined,
      lost: 3,
    });
  });
  it("finds repeated, skipped and wrong orders", async () => {
    const a = await auditOrders([1, 2, 2, 5], fakeRedis({ 1: '{"orderId":"1"}', 2: '{"orderId":"7"}', 5: "{" }));
    expect(a).toMatchObject({ repeated: [2], skipped: [3, 4], missing: [], lost: 2 });
    expect(a.wrong.map((w) => w.id)).toEqual([2, 5]);
  });
});

describe("isStoredOrder and the audit: each quickstart's stored form is the order its line printed", () => {
  // [language, the line the app prints, what Redis then holds] (see order-model's order.spec.ts)
  const QUICKSTARTS = [
    ["csharp", "Saving Order: Order { OrderId = 6 }", JSON.stringify(JSON.stringify({ orderId: 6 }))],
    ["go", 'Saving Order: {"orderId":6}', '{"orderId":6}'],
    ["java", "Saving Order: 6", '{"orderId":6}'],
    ["javascript", "Saving Order:  { orderId: '6' }", '{"orderId":"6"}'],
    ["python", "Saving Order: {'orderId': '6'}", "{'orderId': '6'}"],
  ];
  it.each(QUICKSTARTS)("%s: %s, stored as %s: saved, not wrong", async (_lang, line, data) => {
    const rec = new Recorder();
    rec.push({ source: "app", stream: "stdout", line });
    expect(rec.savedOrders()).toEqual([6]);
    expect(isStoredOrder(data, 6)).toBe(true);
    const audit = await auditOrders(rec.savedOrders(), fakeRedis({ 6: data }));
    expect(audit).toMatchObject({ missing: [], wrong: [], lost: 0 });
  });
  it.each([
    ['{"orderId":"2"}', false],
    [JSON.stringify("Order { orderId = 11 }"), false],
    ["{'orderId': '7'}", false],
    ["1", false],
    ["not json", false],
  ])("%s is not order 1", (data, expected) => {
    expect(isStoredOrder(data, 1)).toBe(expected);
  });
});
