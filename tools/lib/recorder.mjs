// Keeps every line an app and its daprd print, with the time it arrived,
// and lets a caller wait for a line that matches, like reading the child's
// output for a log line in a zx script.
import { parseOrderLine } from "@dapr-resiliency/order-model";

export class Recorder {
  constructor({ t0 = Date.now(), onEvent } = {}) {
    this.t0 = t0;
    this.events = [];
    this.waiters = new Set();
    this.onEvent = onEvent;
  }
  /** Seconds since t0. */
  now() {
    return (Date.now() - this.t0) / 1000;
  }
  push(e) {
    const event = { ...e, at: this.now() };
    if (event.source === "app" && event.stream === "stdout") event.order = parseOrderLine(event.line);
    this.events.push(event);
    this.onEvent?.(event);
    for (const w of this.waiters) if (w.match(event)) w.resolve(event);
    return event;
  }
  /** The first event (from index `from`) that matches, already seen or yet to come; undefined after timeoutMs. */
  waitFor(match, { timeoutMs = 30_000, from = 0 } = {}) {
    const seen = this.events.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
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
  find(match, from = 0) {
    return this.events.slice(from).find(match);
  }
  /** Order ids the app reported saved (`Saving Order` lines), in the order printed. */
  savedOrders() {
    return this.events.filter((e) => e.order?.kind === "saving").map((e) => e.order.id);
  }
  appStdout() {
    return this.events.filter((e) => e.source === "app" && e.stream === "stdout").map((e) => e.line);
  }
}

/** Checks a run's orders against Redis: every reported order stored with its value; none skipped or repeated. */
export async function auditOrders(saved, redisClient, appId = "order-processor") {
  const repeated = saved.filter((id, i) => saved.indexOf(id) !== i);
  const skipped = [];
  for (let i = 1; i < saved.length; i++) {
    for (let id = saved[i - 1] + 1; id < saved[i]; id++) skipped.push(id);
  }
  const missing = [];
  const wrong = [];
  for (const id of new Set(saved)) {
    const data = await redisClient.hGet(`${appId}||${id}`, "data");
    if (data === null || data === undefined) missing.push(id);
    else {
      try {
        const v = JSON.parse(data);
        if (v?.orderId !== String(id)) wrong.push({ id, data });
      } catch {
        wrong.push({ id, data });
      }
    }
  }
  return {
    saved: saved.length,
    first: saved[0],
    last: saved.at(-1),
    repeated,
    skipped,
    missing,
    wrong,
    lost: missing.length + wrong.length,
  };
}
