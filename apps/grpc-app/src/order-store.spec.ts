import { createRequire } from "node:module";
import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from "@grpc/grpc-js";
import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import {
  Dapr,
  GetStateRequestSchema,
  GetStateResponseSchema,
  SaveStateRequestSchema,
} from "@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js";
import { afterEach, describe, expect, it } from "vitest";
import type { Consistency, DaprEndpoint, OrderStore } from "@dapr-resiliency/order-model";
import { StateOptions_StateConsistency } from "@dapr/dapr/proto/dapr/proto/common/v1/common_pb.js";
import { createGrpcOrderStore } from "./order-store.js";

// The CommonJS build, the one @dapr/dapr's descriptors load (as in order-store.ts).
const { create, fromBinary, toBinary } = createRequire(import.meta.url)(
  "@bufbuild/protobuf",
) as typeof import("@bufbuild/protobuf");

type SaveReq = MessageShape<typeof SaveStateRequestSchema>;
type GetReq = MessageShape<typeof GetStateRequestSchema>;
type GetRes = MessageShape<typeof GetStateResponseSchema>;
/** What the test's fake answers: a value, a gRPC error, or nothing ever ("hang"). */
type Failure = { code: status; details: string };
type Reply<T> = T | Failure | "hang";
const isFailure = (reply: unknown): reply is Failure => typeof reply === "object" && reply !== null && "code" in reply;

interface Handlers {
  saveState?: (req: SaveReq) => Reply<undefined>;
  getState?: (req: GetReq) => Reply<Partial<GetRes>>;
}

/** A grpc-js method definition from a protobuf-es descriptor (Empty answers as no bytes). */
function method<I extends DescMessage>(name: string, input: I, output: DescMessage | undefined) {
  return {
    path: `/${Dapr.typeName}/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: MessageShape<I>) => Buffer.from(toBinary(input, m)),
    requestDeserialize: (b: Buffer) => fromBinary(input, b),
    responseSerialize: (m: unknown) =>
      output ? Buffer.from(toBinary(output, create(output, m as MessageInitShape<DescMessage>))) : Buffer.alloc(0),
    responseDeserialize: (b: Buffer) => b,
  };
}

/**
 * FAKE daprd for unit tests of the client code only: a grpc-js server with
 * SaveState and GetState of dapr.proto.runtime.v1.Dapr, answering with the
 * test's handlers. The real daprd is exercised by the integration tests.
 */
async function fakeDaprd(host: string, handlers: Handlers) {
  const seen: { method: string; request: SaveReq | GetReq; token: string | undefined }[] = [];
  let cancelled = 0;
  const server = new Server();
  function serve<Req extends SaveReq | GetReq>(name: string, handler: ((req: Req) => Reply<unknown>) | undefined) {
    return (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>) => {
      const token = call.metadata.get("dapr-api-token")[0];
      seen.push({ method: name, request: call.request, token: token === undefined ? undefined : String(token) });
      call.on("cancelled", () => cancelled++);
      const reply = handler ? handler(call.request) : undefined;
      if (reply === "hang") return;
      if (isFailure(reply)) callback(reply);
      else callback(null, reply ?? {});
    };
  }
  const service = {
    SaveState: method("SaveState", SaveStateRequestSchema, undefined),
    GetState: method("GetState", GetStateRequestSchema, GetStateResponseSchema),
  };
  server.addService(service as unknown as ServiceDefinition, {
    SaveState: serve<SaveReq>("SaveState", handlers.saveState),
    GetState: serve<GetReq>("GetState", handlers.getState),
  });
  const bindHost = host.includes(":") ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${bindHost}:0`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    seen,
    cancelled: () => cancelled,
    endpoint: (apiToken?: string): DaprEndpoint => ({
      host,
      httpPort: 1,
      grpcPort: port,
      apiToken,
      storeName: "statestore",
    }),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}

/** Answers like daprd for a store that holds `data` (bytes per key). */
function stateApi(data = new Map<string, Uint8Array>()): Handlers {
  return {
    saveState: (req) => {
      for (const item of req.states) data.set(item.key, item.value);
      return undefined;
    },
    getState: (req) => ({ data: data.get(req.key) ?? new Uint8Array() }),
  };
}

const live = () => new AbortController().signal;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
async function setUp(
  handlers: Handlers,
  { host = "127.0.0.1", apiToken, consistency }: { host?: string; apiToken?: string; consistency?: Consistency } = {},
) {
  const daprd = await fakeDaprd(host, handlers);
  cleanups.push(daprd.close);
  const store: OrderStore = createGrpcOrderStore({ ...daprd.endpoint(apiToken), consistency });
  cleanups.push(() => store.close());
  return { daprd, store };
}

describe("grpc-app order store (@grpc/grpc-js) against a fake daprd", () => {
  it("saves the order's JSON as the value bytes and reads it back", async () => {
    const { daprd, store } = await setUp(stateApi());
    await store.save({ orderId: "7" }, live());
    expect(await store.get("7", live())).toEqual({ orderId: "7" });
    const save = daprd.seen[0]?.request as SaveReq;
    expect(save.storeName).toBe("statestore");
    expect(save.states.map((s) => [s.key, new TextDecoder().decode(s.value)])).toEqual([["7", '{"orderId":"7"}']]);
    expect(daprd.seen[1]).toMatchObject({ method: "GetState", request: { storeName: "statestore", key: "7" } });
  });

  it("sends no StateOptions by default, so daprd applies its own default", async () => {
    const { daprd, store } = await setUp(stateApi());
    await store.save({ orderId: "1" }, live());
    expect((daprd.seen[0]?.request as SaveReq).states[0]?.options).toBeUndefined();
  });

  it.each([
    ["strong", StateOptions_StateConsistency.CONSISTENCY_STRONG],
    ["eventual", StateOptions_StateConsistency.CONSISTENCY_EVENTUAL],
  ] as const)("STATE_CONSISTENCY=%s: every StateItem carries options.consistency %s", async (consistency, wire) => {
    const { daprd, store } = await setUp(stateApi(), { consistency });
    await store.save({ orderId: "1" }, live());
    await store.save({ orderId: "2" }, live());
    const saves = daprd.seen.map((s) => s.request as SaveReq);
    expect(saves.map((r) => r.states.map((st) => [st.key, st.options?.consistency]))).toEqual([
      [["1", wire]],
      [["2", wire]],
    ]);
  });

  it("reads a missing key (empty data) as undefined", async () => {
    const { store } = await setUp(stateApi());
    expect(await store.get("404", live())).toBeUndefined();
  });

  it("throws daprd's error with the gRPC status code name and details in the message", async () => {
    const details = "failed saving state in state store statestore: connection refused";
    const { store } = await setUp({
      saveState: () => ({ code: status.INTERNAL, details }),
      getState: () => ({ code: status.INVALID_ARGUMENT, details: "state store is not configured" }),
    });
    await expect(store.save({ orderId: "1" }, live())).rejects.toThrow(`SaveState: 13 INTERNAL: ${details}`);
    await expect(store.get("1", live())).rejects.toThrow("GetState: 3 INVALID_ARGUMENT: state store is not configured");
  });

  it("throws UNAVAILABLE when nothing listens on the gRPC port", async () => {
    const { daprd, store } = await setUp(stateApi());
    await daprd.close();
    await expect(store.save({ orderId: "1" }, live())).rejects.toThrow(
      /^SaveState: 14 UNAVAILABLE: .*ECONNREFUSED [\d.:]+\.$/,
    );
  });

  it("sends dapr-api-token metadata when DAPR_API_TOKEN is set, and none otherwise", async () => {
    const withToken = await setUp(stateApi(), { apiToken: "s3cret" });
    await withToken.store.save({ orderId: "1" }, live());
    await withToken.store.get("1", live());
    expect(withToken.daprd.seen.map((s) => s.token)).toEqual(["s3cret", "s3cret"]);

    const without = await setUp(stateApi());
    await without.store.get("1", live());
    expect(without.daprd.seen[0]?.token).toBeUndefined();
  });

  it("talks to an IPv6 host (DAPR_HOST=::1)", async () => {
    const { daprd, store } = await setUp(stateApi(), { host: "::1" });
    await store.save({ orderId: "6" }, live());
    expect(await store.get("6", live())).toEqual({ orderId: "6" });
    expect(daprd.seen).toHaveLength(2);
  });

  it("cancels a call in flight when its signal aborts (daprd sees the cancellation)", async () => {
    const { daprd, store } = await setUp({ saveState: () => "hang" });
    const stop = new AbortController();
    const saving = store.save({ orderId: "1" }, stop.signal);
    await expect.poll(() => daprd.seen.length).toBe(1);
    stop.abort();
    await expect(saving).rejects.toThrow(/SaveState: 1 CANCELLED/);
    await expect.poll(() => daprd.cancelled()).toBe(1);
  });

  it("does not start a call whose signal already aborted", async () => {
    const { daprd, store } = await setUp(stateApi());
    await expect(store.get("1", AbortSignal.abort())).rejects.toThrow(/abort/i);
    expect(daprd.seen).toHaveLength(0);
  });
});
