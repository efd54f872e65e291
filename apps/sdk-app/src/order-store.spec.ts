import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Consistency, DaprEndpoint, OrderStore } from "@dapr-resiliency/order-model";
import { createSdkOrderStore } from "./order-store.js";

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * FAKE daprd for unit tests of the client code only: a node:http server that
 * answers /v1.0/metadata (the SDK's and the app's start-up probe) and the
 * state API for a store that holds `data`, unless the test's `override`
 * answers first. The real daprd is exercised by the integration tests.
 */
async function fakeDaprd(host: string, override: (seen: Seen, res: http.ServerResponse) => boolean = () => false) {
  const seen: Seen[] = [];
  const data = new Map<string, string>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const s: Seen = {
        method: req.method ?? "",
        path: (req.url ?? "").split("?")[0] ?? "",
        headers: req.headers,
        body,
      };
      seen.push(s);
      if (override(s, res)) return;
      const key = s.path.startsWith("/v1.0/state/statestore/") ? s.path.slice("/v1.0/state/statestore/".length) : "";
      if (s.path === "/v1.0/metadata") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"id":"order-processor"}');
      } else if (s.method === "POST" && s.path === "/v1.0/state/statestore") {
        for (const item of JSON.parse(body) as { key: string; value: unknown }[]) {
          data.set(item.key, JSON.stringify(item.value));
        }
        res.writeHead(204).end();
      } else if (s.method === "GET" && key) {
        const value = data.get(decodeURIComponent(key));
        if (value === undefined) res.writeHead(204).end();
        else res.writeHead(200, { "content-type": "application/json" }).end(value);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    stateCalls: () => seen.filter((s) => s.path.startsWith("/v1.0/state/")),
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

const live = () => new AbortController().signal;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
async function setUp(
  override?: (seen: Seen, res: http.ServerResponse) => boolean,
  { host = "127.0.0.1", apiToken, consistency }: { host?: string; apiToken?: string; consistency?: Consistency } = {},
) {
  const daprd = await fakeDaprd(host, override);
  cleanups.push(daprd.close);
  const store: OrderStore = createSdkOrderStore({ ...daprd.endpoint(apiToken), consistency }, "http");
  cleanups.push(() => store.close());
  return { daprd, store };
}

describe("sdk-app order store (DaprClient over HTTP) against a fake daprd", () => {
  it("saves through the state API and reads the value back", async () => {
    const { daprd, store } = await setUp();
    await store.save({ orderId: "7" }, live());
    expect(await store.get("7", live())).toEqual({ orderId: "7" });
    const [save, get] = daprd.stateCalls();
    expect(save).toMatchObject({ method: "POST", path: "/v1.0/state/statestore" });
    expect(JSON.parse(save?.body ?? "")).toEqual([expect.objectContaining({ key: "7", value: { orderId: "7" } })]);
    expect(get).toMatchObject({ method: "GET", path: "/v1.0/state/statestore/7" });
  });

  it("sends no consistency by default (the SDK's empty options), so daprd applies its own default", async () => {
    const { daprd, store } = await setUp();
    await store.save({ orderId: "1" }, live());
    const [save] = daprd.stateCalls();
    expect(JSON.parse(save?.body ?? "")[0]?.options?.consistency).toBeUndefined();
  });

  it.each(["strong", "eventual"] as const)(
    "STATE_CONSISTENCY=%s: every saved item carries options.consistency",
    async (consistency) => {
      const { daprd, store } = await setUp(undefined, { consistency });
      await store.save({ orderId: "1" }, live());
      await store.save({ orderId: "2" }, live());
      const saves = daprd.stateCalls().filter((s) => s.method === "POST");
      expect(saves.map((s) => JSON.parse(s.body))).toEqual([
        [expect.objectContaining({ key: "1", options: expect.objectContaining({ consistency }) })],
        [expect.objectContaining({ key: "2", options: expect.objectContaining({ consistency }) })],
      ]);
    },
  );

  it("reads a missing key (204 No Content) as undefined", async () => {
    const { store } = await setUp();
    expect(await store.get("404", live())).toBeUndefined();
  });

  it("throws when daprd answers the save with 500, although the SDK resolves with {error}", async () => {
    const body = '{"errorCode":"ERR_STATE_SAVE","message":"failed saving state in state store statestore"}';
    const { store } = await setUp((s, res) => {
      if (s.method !== "POST") return false;
      res.writeHead(500, { "content-type": "application/json" }).end(body);
      return true;
    });
    await expect(store.save({ orderId: "1" }, live())).rejects.toThrow(`daprd answered 500 ${body}`);
  });

  it("throws when daprd answers the read with 500, with the error body in the message", async () => {
    const { store } = await setUp((s, res) => {
      if (!s.path.startsWith("/v1.0/state/")) return false;
      res.writeHead(500).end('{"errorCode":"ERR_STATE_GET","message":"redis: connection refused"}');
      return true;
    });
    await expect(store.get("1", live())).rejects.toThrow(
      'daprd answered 500 {"errorCode":"ERR_STATE_GET","message":"redis: connection refused"}',
    );
  });

  it("sends dapr-api-token when DAPR_API_TOKEN is set", async () => {
    const { daprd, store } = await setUp(undefined, { apiToken: "s3cret" });
    await store.save({ orderId: "1" }, live());
    await store.get("1", live());
    expect(daprd.seen.length).toBeGreaterThanOrEqual(3);
    expect(daprd.seen.map((s) => s.headers["dapr-api-token"])).toEqual(daprd.seen.map(() => "s3cret"));
  });

  it("fails the first call at once, naming DAPR_API_TOKEN, when daprd refuses the token", async () => {
    const { daprd, store } = await setUp(
      (s, res) => {
        if (s.headers["dapr-api-token"] === "right") return false;
        res.writeHead(401).end('{"errorCode":"ERR_UNAUTHORIZED","message":"invalid api token"}');
        return true;
      },
      { apiToken: "wrong" },
    );
    await expect(store.save({ orderId: "1" }, live())).rejects.toThrow(
      /daprd answered 401 .*invalid api token.*DAPR_API_TOKEN does not match/,
    );
    expect(daprd.seen).toHaveLength(1); // no 60 s of the SDK's polling
  });

  it("talks to an IPv6 host (DAPR_HOST=::1)", async () => {
    const { daprd, store } = await setUp(undefined, { host: "::1" });
    await store.save({ orderId: "6" }, live());
    expect(await store.get("6", live())).toEqual({ orderId: "6" });
    expect(daprd.stateCalls()).toHaveLength(2);
  });
});
