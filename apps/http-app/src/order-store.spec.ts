import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Consistency, DaprEndpoint, OrderStore } from "@dapr-resiliency/order-model";
import { createHttpOrderStore } from "./order-store.js";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  remotePort: number;
}
type Answer = (seen: Seen, res: http.ServerResponse) => void;

/**
 * FAKE daprd for unit tests of the client code only: a node:http server that
 * records each request and answers it with the test's `answer`. The real
 * daprd is exercised by the integration tests (tools/e2e/apps.int.spec.mjs).
 */
async function fakeDaprd(host: string, answer: Answer) {
  const seen: Seen[] = [];
  const closed: number[] = []; // remote ports of connections the client closed
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const s: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        remotePort: req.socket.remotePort ?? 0,
      };
      seen.push(s);
      answer(s, res);
    });
  });
  server.on("connection", (socket) => {
    const port = socket.remotePort ?? 0;
    socket.on("close", () => closed.push(port));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    closed,
    endpoint: (apiToken?: string): DaprEndpoint => ({
      host,
      httpPort: port,
      grpcPort: 1,
      apiToken,
      storeName: "statestore",
    }),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers like daprd's state API for a store that holds `data`. */
function stateApi(data: Map<string, string>): Answer {
  return (seen, res) => {
    if (seen.method === "POST" && seen.url === "/v1.0/state/statestore") {
      for (const item of JSON.parse(seen.body) as { key: string; value: unknown }[]) {
        data.set(item.key, JSON.stringify(item.value));
      }
      res.writeHead(204).end();
    } else if (seen.method === "GET" && seen.url.startsWith("/v1.0/state/statestore/")) {
      const value = data.get(decodeURIComponent(seen.url.slice("/v1.0/state/statestore/".length)));
      if (value === undefined) res.writeHead(204).end();
      else res.writeHead(200, { "content-type": "application/json" }).end(value);
    } else {
      res.writeHead(404).end();
    }
  };
}

const live = () => new AbortController().signal;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
async function setUp(
  answer: Answer,
  { host = "127.0.0.1", apiToken, consistency }: { host?: string; apiToken?: string; consistency?: Consistency } = {},
) {
  const daprd = await fakeDaprd(host, answer);
  cleanups.push(daprd.close);
  const store: OrderStore = createHttpOrderStore({ ...daprd.endpoint(apiToken), consistency });
  cleanups.push(() => store.close());
  return { daprd, store };
}

describe("http-app order store (node:http) against a fake daprd", () => {
  it("saves [{key, value}] as JSON and reads the value back", async () => {
    const { daprd, store } = await setUp(stateApi(new Map()));
    await store.save({ orderId: "7" }, live());
    expect(await store.get("7", live())).toEqual({ orderId: "7" });
    expect(daprd.seen[0]).toMatchObject({
      method: "POST",
      url: "/v1.0/state/statestore",
      body: '[{"key":"7","value":{"orderId":"7"}}]',
    });
    expect(daprd.seen[0]?.headers["content-type"]).toBe("application/json");
    expect(daprd.seen[1]).toMatchObject({ method: "GET", url: "/v1.0/state/statestore/7" });
  });

  it.each(["strong", "eventual"] as const)(
    "STATE_CONSISTENCY=%s: every saved item carries options.consistency, the read does not",
    async (consistency) => {
      const { daprd, store } = await setUp(stateApi(new Map()), { consistency });
      await store.save({ orderId: "1" }, live());
      await store.save({ orderId: "2" }, live());
      await store.get("2", live());
      expect(daprd.seen.filter((s) => s.method === "POST").map((s) => JSON.parse(s.body))).toEqual([
        [{ key: "1", value: { orderId: "1" }, options: { consistency } }],
        [{ key: "2", value: { orderId: "2" }, options: { consistency } }],
      ]);
      expect(daprd.seen[2]).toMatchObject({ method: "GET", url: "/v1.0/state/statestore/2" });
    },
  );

  it("reads a missing key (204 No Content) as undefined", async () => {
    const { store } = await setUp(stateApi(new Map()));
    expect(await store.get("404", live())).toBeUndefined();
  });

  it("throws on an error status, with daprd's error body in the message", async () => {
    const body = '{"errorCode":"ERR_STATE_SAVE","message":"failed saving state in state store statestore"}';
    const { store } = await setUp((_, res) => res.writeHead(500, { "content-type": "application/json" }).end(body));
    await expect(store.save({ orderId: "1" }, live())).rejects.toThrow(`daprd answered 500 ${body}`);
    await expect(store.get("1", live())).rejects.toThrow(/daprd answered 500 .*ERR_STATE_SAVE/);
  });

  it("sends dapr-api-token when DAPR_API_TOKEN is set, and no such header otherwise", async () => {
    const withToken = await setUp(stateApi(new Map()), { apiToken: "s3cret" });
    await withToken.store.save({ orderId: "1" }, live());
    expect(withToken.daprd.seen[0]?.headers["dapr-api-token"]).toBe("s3cret");

    const without = await setUp(stateApi(new Map()));
    await without.store.get("1", live());
    expect(without.daprd.seen[0]?.headers).not.toHaveProperty("dapr-api-token");
  });

  it("talks to an IPv6 host (DAPR_HOST=::1)", async () => {
    const { daprd, store } = await setUp(stateApi(new Map()), { host: "::1" });
    await store.save({ orderId: "6" }, live());
    expect(await store.get("6", live())).toEqual({ orderId: "6" });
    expect(daprd.seen).toHaveLength(2);
  });

  it("keeps one connection for sequential calls (bodies read to the end, socket back in the pool)", async () => {
    const { daprd, store } = await setUp(stateApi(new Map()));
    for (let id = 1; id <= 5; id++) {
      await store.save({ orderId: String(id) }, live());
      await store.get(String(id), live());
    }
    expect(new Set(daprd.seen.map((s) => s.remotePort)).size).toBe(1);
  });

  it("aborts a call in flight when its signal aborts, closing the request's connection", async () => {
    const { daprd, store } = await setUp(() => undefined); // daprd never answers
    const stop = new AbortController();
    const saving = store.save({ orderId: "1" }, stop.signal);
    await expect.poll(() => daprd.seen.length).toBe(1);
    stop.abort();
    await expect(saving).rejects.toThrow(/abort/i);
    await expect.poll(() => daprd.closed).toContain(daprd.seen[0]?.remotePort);
  });

  it("does not start a call whose signal already aborted", async () => {
    const { daprd, store } = await setUp(stateApi(new Map()));
    await expect(store.get("1", AbortSignal.abort())).rejects.toThrow(/abort/i);
    expect(daprd.seen).toHaveLength(0);
  });

  it("close() ends its pooled connections", async () => {
    const { daprd, store } = await setUp(stateApi(new Map()));
    await store.save({ orderId: "1" }, live());
    expect(daprd.closed).toHaveLength(0);
    await store.close();
    await expect.poll(() => daprd.closed).toContain(daprd.seen[0]?.remotePort);
  });
});
