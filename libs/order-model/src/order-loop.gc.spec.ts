// The call limit must fire whatever the garbage collector does. On Node 20 a
// signal from AbortSignal.any([..., AbortSignal.timeout(ms)]) never aborts
// once a full GC has run (its timeout source is held only weakly), so a limit
// of 60 s held in a test that waits 3 s passed while the real app waited for
// 300 s. These tests force full GCs while the loop waits on a call that never
// answers. They need `gc()`: the unit project runs with --expose-gc.
import { afterEach, describe, expect, it } from "vitest";
import { runOrderLoop, type LoopSummary } from "./order-loop.js";
import { parseOrderLine, type Order } from "./order.js";
import type { OrderStore } from "./order-store.js";
import type { LoopConfig } from "./config.js";

const forceGc = (globalThis as { gc?: () => void }).gc;

/**
 * In-memory fake for this unit test only: the first `hangs` calls to save never
 * settle (like a daprd waiting on a hung Redis); with `honoursSignal` a hung
 * call rejects when its signal aborts, as fetch and Connect do, otherwise it
 * ignores the signal, as the SDK does. Later calls save into a Map.
 */
class HangingMemoryStore implements OrderStore {
  readonly data = new Map<string, string>();
  saveCalls = 0;
  constructor(
    private hangs: number,
    private readonly honoursSignal: boolean,
  ) {}
  async save(order: Order, signal: AbortSignal) {
    this.saveCalls++;
    if (this.hangs > 0) {
      this.hangs--;
      // Holds nothing but the signal: only the loop's own limit can end the wait.
      await new Promise<never>((_, reject) => {
        if (this.honoursSignal) signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    this.data.set(order.orderId, JSON.stringify(order));
  }
  async get(id: string) {
    const raw = this.data.get(id);
    return raw === undefined ? undefined : JSON.parse(raw);
  }
  async close() {}
}

const LIMIT_MS = 300;
const config: LoopConfig = { count: 3, startId: 1, intervalMs: 0, callTimeoutMs: LIMIT_MS, retryPauseMs: 10 };

let gcTimer: NodeJS.Timeout | undefined;
afterEach(() => clearInterval(gcTimer));

/** Runs the loop with full GCs every 20 ms; gives up (and stops the loop) after `waitMs`. */
async function runUnderGc(store: OrderStore, loopConfig: LoopConfig, stop = new AbortController(), waitMs = 3_000) {
  if (!forceGc) throw new Error("gc() is not exposed: run this file with node --expose-gc (the unit project does)");
  gcTimer = setInterval(forceGc, 20);
  const out: string[] = [];
  const notes: string[] = [];
  const loop = runOrderLoop(store, loopConfig, {
    out: (l) => out.push(l),
    note: (l) => notes.push(l),
    stop: stop.signal,
    stopGraceMs: 20,
  });
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<"gave up">((resolve) => {
    timer = setTimeout(() => resolve("gave up"), waitMs);
  });
  const result: LoopSummary | "gave up" = await Promise.race([loop, gaveUp]);
  clearTimeout(timer);
  if (result === "gave up") stop.abort(); // lets a loop that recovers late end instead of running on
  return { result, out, notes };
}

const savedIds = (out: string[]) =>
  out
    .map(parseOrderLine)
    .filter((l) => l?.kind === "saving")
    .map((l) => l!.id);

describe("runOrderLoop's call limit under forced full GCs", () => {
  it.each([
    ["a store that ignores the signal (like the SDK)", false],
    ["a store that rejects when the signal aborts (like fetch and Connect)", true],
  ])("abandons a save that never answers after the limit, with %s, and retries the same order", async (_, honours) => {
    const store = new HangingMemoryStore(2, honours);
    const { result, out, notes } = await runUnderGc(store, config);
    expect(result, `the ${LIMIT_MS} ms limit never fired; notes: ${JSON.stringify(notes)}`).not.toBe("gave up");
    expect(notes).toEqual([
      `Save of order 1 failed: no answer within ${LIMIT_MS} ms; retrying the same order in 10 ms`,
      `Save of order 1 failed: no answer within ${LIMIT_MS} ms; retrying the same order in 10 ms`,
    ]);
    expect(savedIds(out)).toEqual([1, 2, 3]);
    expect(store.saveCalls).toBe(5);
    expect(result).toMatchObject({ lastSaved: 3, saved: 3, retries: 2, stopped: false });
  });

  it("on stop, still abandons a hung call after the grace, whatever the GC did meanwhile", async () => {
    const stop = new AbortController();
    const store = new HangingMemoryStore(1, false);
    setTimeout(() => stop.abort(), 500); // after several GCs
    const { result, out } = await runUnderGc(store, { ...config, callTimeoutMs: 60_000 }, stop);
    expect(result, "the stop never reached the hung call").not.toBe("gave up");
    expect(result).toMatchObject({ lastSaved: undefined, saved: 0, stopped: true });
    expect(out).toEqual([]);
  });
});
