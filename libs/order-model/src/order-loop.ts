import { setTimeout as sleep } from "node:timers/promises";
import { gettingLine, isSameOrder, makeOrder, savingLine, type Order } from "./order.js";
import type { OrderStore } from "./order-store.js";
import type { LoopConfig } from "./config.js";

export interface LoopIo {
  /** The seed's lines: `Saving Order: ...` after a save succeeded, `Getting Order: ...` after the read-back. */
  out(line: string): void;
  /** Everything else (retries, the summary): kept off `out` so it carries exactly the seed's lines. */
  note(line: string): void;
  /** Aborts when the app is asked to stop (SIGINT/SIGTERM). */
  stop: AbortSignal;
  /** How long a call already in flight may still finish after a stop request. */
  stopGraceMs?: number;
}

export interface LoopSummary {
  /** The last order whose save succeeded and was printed as `Saving Order`; undefined if none. */
  lastSaved: number | undefined;
  saved: number;
  /** Failed or timed-out calls that were tried again for the same order. */
  retries: number;
  stopped: boolean;
}

class Stopped extends Error {}
class CallTimeout extends Error {}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}

/**
 * Saves order N, reads it back, checks it, waits, then goes on with N+1.
 * A failed or timed-out call is retried for the same order, so no order is
 * skipped or repeated whatever the store does.
 */
export async function runOrderLoop(store: OrderStore, config: LoopConfig, io: LoopIo): Promise<LoopSummary> {
  const summary: LoopSummary = { lastSaved: undefined, saved: 0, retries: 0, stopped: false };
  // A stop lets the call in flight finish for a short grace, then abandons it.
  const hardStop = new AbortController();
  const onStop = () => {
    setTimeout(() => hardStop.abort(), io.stopGraceMs ?? 2_000).unref();
  };
  if (io.stop.aborted) onStop();
  else io.stop.addEventListener("abort", onStop, { once: true });

  /**
   * One try of one call, abandoned after callTimeoutMs or on a hard stop.
   * One controller per try, aborted by a timer we hold and clear, not by
   * AbortSignal.any([hardStop, AbortSignal.timeout(ms)]): on Node 20 that
   * signal keeps its timeout source only weakly and never aborts once a full
   * GC has run (fixed in Node 24), so a hung call waited for the client's own
   * limit (fetch: 300 s) instead of ORDER_CALL_TIMEOUT_MS.
   */
  async function attempt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const limit = new AbortController();
    const timer = setTimeout(
      () => limit.abort(new CallTimeout(`no answer within ${config.callTimeoutMs} ms`)),
      config.callTimeoutMs,
    );
    const onHardStop = () => limit.abort(new Stopped());
    hardStop.signal.addEventListener("abort", onHardStop, { once: true });
    try {
      // Race the call against its signal: a client that ignores the signal
      // (the SDK takes none) is abandoned instead of hanging the loop.
      return await new Promise<T>((resolve, reject) => {
        limit.signal.addEventListener("abort", () => reject(limit.signal.reason), { once: true });
        fn(limit.signal).then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      hardStop.signal.removeEventListener("abort", onHardStop);
    }
  }

  async function call<T>(what: string, order: Order, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (;;) {
      if (hardStop.signal.aborted) throw new Stopped();
      try {
        return await attempt(fn);
      } catch (err) {
        if (err instanceof Stopped || hardStop.signal.aborted) throw new Stopped();
        summary.retries++;
        io.note(
          `${what} of order ${order.orderId} failed: ${describe(err)}; retrying the same order in ${config.retryPauseMs} ms`,
        );
        try {
          await sleep(config.retryPauseMs, undefined, { signal: io.stop });
        } catch {
          throw new Stopped();
        }
      }
    }
  }

  try {
    for (let id = config.startId; summary.saved < config.count && !io.stop.aborted; id++) {
      const order = makeOrder(id);
      await call("Save", order, (signal) => store.save(order, signal));
      summary.lastSaved = id;
      summary.saved++;
      io.out(savingLine(order));
      if (io.stop.aborted) break;

      for (;;) {
        const got = await call("Read", order, (signal) => store.get(order.orderId, signal));
        if (isSameOrder(got, order)) {
          io.out(gettingLine(order));
          break;
        }
        // The store answered with something else: save this order again rather than move on.
        summary.retries++;
        io.note(
          `Read of order ${order.orderId} returned ${JSON.stringify(got) ?? "nothing"}; saving the same order again`,
        );
        await call("Save", order, (signal) => store.save(order, signal));
      }

      if (summary.saved < config.count) {
        await sleep(config.intervalMs, undefined, { signal: io.stop }).catch(() => undefined);
      }
    }
  } catch (err) {
    if (!(err instanceof Stopped)) throw err;
  } finally {
    io.stop.removeEventListener("abort", onStop);
  }
  summary.stopped = io.stop.aborted;
  return summary;
}
