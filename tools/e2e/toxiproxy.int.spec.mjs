// @ts-check
// The fault proxy and the fault catalogue against the real thing: a real
// toxiproxy-server (built from its Go module on first use) in front of a real
// redis-server of the test's own, each fault seen from a Redis client.
import fs from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { startToxiproxy } from "../stack/toxiproxy.mjs";
import { fault } from "../stack/faults.mjs";
import { startRedis } from "../stack/isolated-stack.mjs";
import { isPortOpen } from "../stack/net.mjs";

/**
 * Sends one raw Redis command on a fresh connection to `port`; what came of it.
 * @param {number} port
 * @param {string} command RESP inline command, e.g. "PING"
 * @param {number} waitMs how long to wait for an answer
 * @returns {Promise<{ outcome: "answer" | "refused" | "reset" | "closed" | "silent", data: string, ms: number }>}
 */
function probe(port, command, waitMs = 1_500) {
  return new Promise((resolve) => {
    const started = Date.now();
    let data = "";
    const sock = net.connect({ port, host: "127.0.0.1" });
    /** @param {"answer" | "refused" | "reset" | "closed" | "silent"} outcome */
    const done = (outcome) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ outcome, data, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done(data ? "answer" : "silent"), waitMs);
    sock.on("connect", () => sock.write(`${command}\r\n`));
    sock.on("data", (d) => {
      data += d;
      if (data.endsWith("\r\n") && !command.startsWith("GET")) done("answer");
      if (command.startsWith("GET") && data.length >= 10_000) done("answer");
    });
    sock.on("error", (/** @type {NodeJS.ErrnoException} */ err) =>
      done(err.code === "ECONNREFUSED" ? "refused" : err.code === "ECONNRESET" ? "reset" : "closed"),
    );
    sock.on("close", () => done("closed"));
  });
}

describe("Toxiproxy between a client and a real Redis", () => {
  /** @type {Awaited<ReturnType<typeof startRedis>>} */
  let redis;
  /** @type {Awaited<ReturnType<typeof startToxiproxy>>} */
  let tp;
  /** @type {import("../stack/toxiproxy.mjs").Proxy} */
  let proxy;
  beforeAll(async () => {
    redis = await startRedis();
    tp = await startToxiproxy();
    proxy = await tp.createProxy({ name: "redis", upstream: redis.port });
    const c = createClient({ socket: { host: "127.0.0.1", port: redis.port } });
    await c.connect();
    await c.set("big", "x".repeat(10_000));
    await c.quit();
  });
  afterAll(async () => {
    await tp?.stop();
    await redis?.stop();
    if (redis) fs.rmSync(redis.dir, { recursive: true, force: true });
  });

  it("listens on loopback only, and passes commands through while no fault is on", async () => {
    expect(tp.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect((await probe(proxy.port, "PING")).data).toBe("+PONG\r\n");
    expect(await tp.version()).not.toBe("");
  });

  it("refuse: connections refused; cleared: answered again", async () => {
    const f = fault("refuse");
    await f.apply({ proxy });
    expect((await probe(proxy.port, "PING")).outcome).toBe("refused");
    await f.clear({ proxy });
    expect((await probe(proxy.port, "PING")).data).toBe("+PONG\r\n");
  });

  it("hang: the connection is accepted and nothing answers, also on a connection opened before", async () => {
    const before = createClient({ socket: { host: "127.0.0.1", port: proxy.port, reconnectStrategy: false } });
    before.on("error", () => undefined);
    await before.connect();
    const f = fault("hang");
    await f.apply({ proxy });
    const fresh = await probe(proxy.port, "PING", 1_000);
    expect(fresh.outcome).toBe("silent");
    const old = await Promise.race([
      before.ping().then(() => "answer"),
      new Promise((r) => setTimeout(() => r("silent"), 1_000)),
    ]);
    expect(old).toBe("silent");
    await f.clear({ proxy });
    expect((await probe(proxy.port, "PING")).data).toBe("+PONG\r\n");
    before.destroy();
  });

  it("slow and crawl: answers come late by about their latency", async () => {
    for (const name of ["slow", "crawl"]) {
      const f = fault(name);
      await f.apply({ proxy });
      const r = await probe(proxy.port, "PING", 5_000);
      await f.clear({ proxy });
      expect(r.data, name).toBe("+PONG\r\n");
      expect(r.ms, name).toBeGreaterThanOrEqual((f.latencyMs ?? 0) - (f.jitterMs ?? 0));
    }
    expect((await probe(proxy.port, "PING")).ms).toBeLessThan(300);
  });

  it("reset: the connection is reset by peer", async () => {
    const f = fault("reset");
    await f.apply({ proxy });
    const r = await probe(proxy.port, "PING");
    await f.clear({ proxy });
    expect(["reset", "closed"]).toContain(r.outcome);
    expect(r.data).toBe("");
  });

  it("flaky: some connections fail and some pass", async () => {
    const f = fault("flaky");
    await f.apply({ proxy });
    const outcomes = [];
    for (let i = 0; i < 30; i++) outcomes.push((await probe(proxy.port, "PING")).outcome);
    await f.clear({ proxy });
    // 30 % of connections: the chance that 30 all pass or all fail is below 1e-4.
    expect(outcomes).toContain("answer");
    expect(outcomes.filter((o) => o !== "answer").length).toBeGreaterThan(0);
  });

  it("cut: a long reply is cut off part-way", async () => {
    const f = fault("cut");
    await f.apply({ proxy });
    const r = await probe(proxy.port, "GET big", 1_500);
    await f.clear({ proxy });
    expect(r.outcome).toBe("closed");
    expect(r.data.length).toBeGreaterThan(0);
    expect(r.data.length).toBeLessThan(10_000);
  });

  it("stop: Redis itself stops and comes back with its data", async () => {
    const f = fault("stop");
    await f.apply({ redis });
    expect((await probe(redis.port, "PING")).outcome).toBe("refused");
    await f.clear({ redis });
    const r = await probe(redis.port, "STRLEN big");
    expect(r.data).toBe(":10000\r\n");
  });

  it("stop() ends the server: its API port and the proxies are closed", async () => {
    const other = await startToxiproxy();
    const p = await other.createProxy({ name: "gone", upstream: redis.port });
    await other.stop();
    expect(await isPortOpen(other.apiPort)).toBe(false);
    expect(await isPortOpen(p.port)).toBe(false);
  });
});
