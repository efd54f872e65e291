import { describe, expect, it } from "vitest";
import { runOrderLoop } from "./order-loop.js";
import { parseOrderLine, type Order } from "./order.js";
import type { OrderStore } from "./order-store.js";
import type { LoopConfig } from "./config.js";

type Fault = "throw" | "hang" | "lose" | "wrong";

/**
 * In-memory fake for unit tests of the loop only: a Map, plus a script of
 * faults consumed one per call ("save:3" fails the first save of order 3, etc.).
 */
class FaultyMemoryStore implements OrderStore {
  readonly data = new Map<string, string>();
  readonly saves: string[] = [];
  constructor(private readonly faults: Map<string, Fault[]>) {}

  private fault(op: string, id: string): Fault | undefined {
    return this.faults.get(`${op}:${id}`)?.shift();
  }
  private async apply(f: Fault | undefined, signal: AbortSignal): Promise<void> {
    if (f === "throw") throw new Error("store unavailable");
    if (f === "hang") {
      // never answers; only the loop's abort gets it unstuck
      await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    }
  }
  async save(order: Order, signal: AbortSignal) {
    const f = this.fault("save", order.orderId);
    await this.apply(f, signal);
    this.saves.push(order.orderId);
    if (f !== "lose") this.data.set(order.orderId, JSON.stringify(order));
  }
  async get(id: string, signal: AbortSignal) {
    const f = this.fault("get", id);
    await this.apply(f, signal);
    if (f === "wrong") return { orderId: "999" };
    const raw = this.data.get(id);
    return raw === undefined ? undefined : JSON.parse(raw);
  }
  async close() {}
}

const fast: LoopConfig = { count: 6, startId: 1, intervalMs: 0, callTimeoutMs: 30, retryPauseMs: 1 };

async function run(faults: Record<string, Fault[]>, config: Partial<LoopConfig> = {}, stop = new AbortController()) {
  const store = new FaultyMemoryStore(new Map(Object.entries(faults)));
  const out: string[] = [];
  const notes: string[] = [];
  const summary = await runOrderLoop(
    store,
    { ...fast, ...config },
    {
      out: (l) => out.push(l),
      note: (l) => notes.push(l),
      stop: stop.signal,
      stopGraceMs: 20,
    },
  );
  return { store, out, notes, summary };
}

function savedIds(out: string[]): number[] {
  return out
    .map(parseOrderLine)
    .filter((l) => l?.kind === "saving")
    .map((l) => l!.id);
}

describe("runOrderLoop", () => {
  it("prints the seed's lines, Saving then Getting, for each order in turn", async () => {
    const { out, summary } = await run({}, { count: 2 });
    expect(out).toEqual([
      "Saving Order:  { orderId: '1' }",
      "Getting Order:  { orderId: '1' }",
      "Saving Order:  { orderId: '2' }",
      "Getting Order:  { orderId: '2' }",
    ]);
    expect(summary).toMatchObject({ lastSaved: 2, saved: 2, retries: 0, stopped: false });
  });

  it("retries a thrown save for the same order: none skipped, none repeated", async () => {
    const { out, store, notes, summary } = await run({ "save:3": ["throw", "throw", "throw"] });
    expect(savedIds(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...store.data.keys()]).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(summary.retries).toBe(3);
    expect(notes.filter((n) => n.includes("order 3 failed"))).toHaveLength(3);
  });

  it("abandons a save that never answers, after the call timeout, and tries the same order again", async () => {
    const { out, notes } = await run({ "save:2": ["hang"], "get:4": ["hang", "throw"] });
    expect(savedIds(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(notes[0]).toMatch(/Save of order 2 failed: no answer within 30 ms/);
    expect(notes.some((n) => /Read of order 4 failed/.test(n))).toBe(true);
  });

  it("saves the same order again when the read-back does not match", async () => {
    const { out, store, notes } = await run({ "save:2": ["lose"], "get:5": ["wrong"] });
    expect(savedIds(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.data.get("2")).toBe('{"orderId":"2"}');
    expect(store.saves.filter((id) => id === "2")).toHaveLength(2);
    expect(notes.filter((n) => n.includes("saving the same order again"))).toHaveLength(2);
  });

  it("starts at --start-id and stops after --count orders", async () => {
    const { out, summary } = await run({}, { startId: 41, count: 3 });
    expect(savedIds(out)).toEqual([41, 42, 43]);
    expect(summary.lastSaved).toBe(43);
  });

  it("on stop, abandons a hanging call after the grace and reports the last order really saved", async () => {
    const stop = new AbortController();
    const pending = run({ "save:3": ["hang"] }, { count: Infinity, callTimeoutMs: 60_000 }, stop);
    setTimeout(() => stop.abort(), 50);
    const { out, summary, store } = await pending;
    expect(savedIds(out)).toEqual([1, 2]);
    expect(summary).toMatchObject({ lastSaved: 2, saved: 2, stopped: true });
    expect(store.data.has("3")).toBe(false);
  });

  it("on stop, lets a call in flight finish within the grace and reports it", async () => {
    const stop = new AbortController();
    const store = new FaultyMemoryStore(new Map());
    const slowSave = store.save.bind(store);
    store.save = async (order, signal) => {
      if (order.orderId === "2") stop.abort(); // the stop arrives while order 2 is being saved
      await new Promise((r) => setTimeout(r, 5));
      return slowSave(order, signal);
    };
    const out: string[] = [];
    const summary = await runOrderLoop(
      store,
      { ...fast, count: Infinity },
      {
        out: (l) => out.push(l),
        note: () => undefined,
        stop: stop.signal,
        stopGraceMs: 1_000,
      },
    );
    expect(savedIds(out)).toEqual([1, 2]);
    expect(summary.lastSaved).toBe(2);
    expect(store.data.has("2")).toBe(true);
  });
});
