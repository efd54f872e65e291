import { Client, Metadata, credentials, type ChannelOptions, type ServiceError } from "@grpc/grpc-js";
import { createRequire } from "node:module";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
// Only the generated protobuf-es v2 descriptors of @dapr/dapr are used, not its DaprClient.
import { StateOptions_StateConsistency } from "@dapr/dapr/proto/dapr/proto/common/v1/common_pb.js";
import {
  Dapr,
  GetStateRequestSchema,
  GetStateResponseSchema,
  SaveStateRequestSchema,
} from "@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js";
import type { Consistency, DaprEndpoint, Order, OrderStore } from "@dapr-resiliency/order-model";

// @dapr/dapr's descriptors are CommonJS and load protobuf-es's CommonJS build.
// Use that same copy: an `import` would load its ES-module build as well (about 50 more files).
const { create, fromBinary, toBinary } = createRequire(import.meta.url)(
  "@bufbuild/protobuf",
) as typeof import("@bufbuild/protobuf");

/** The proto's enum for each STATE_CONSISTENCY value. */
const CONSISTENCY: Record<Consistency, StateOptions_StateConsistency> = {
  strong: StateOptions_StateConsistency.CONSISTENCY_STRONG,
  eventual: StateOptions_StateConsistency.CONSISTENCY_EVENTUAL,
};

/**
 * The channel options grpc-app runs with: grpc-js's defaults. An option would be kept only if it cost less CPU
 * per call and changed nothing the app relies on (cancellation, errors, the loop's per-call limit). Tried
 * with tools/bench/clients.mjs and not kept (docs/client-styles.md): channelz off, retries off, no
 * message-size checks, keepalive pings: none moved the CPU of a call beyond the noise between rounds, and
 * channelz's code was not among the 30 costliest files of a profiled run.
 */
export const CHANNEL_OPTIONS: ChannelOptions = {};

/**
 * Plain gRPC to dapr.proto.runtime.v1.Dapr (SaveState, GetState) with
 * `@grpc/grpc-js`, the messages encoded by protobuf-es from @dapr/dapr's
 * descriptors. About 30 % less client CPU per call than Connect's gRPC
 * transport (see the README and tools/bench/clients.mjs). `options` is for
 * the benchmarks that try other channel options.
 */
export function createGrpcOrderStore(dapr: DaprEndpoint, options: ChannelOptions = CHANNEL_OPTIONS): OrderStore {
  // #region client
  const host = dapr.host.includes(":") ? `[${dapr.host}]` : dapr.host;
  const client = new Client(`${host}:${dapr.grpcPort}`, credentials.createInsecure(), options);
  const decoder = new TextDecoder();
  const metadata = new Metadata();
  if (dapr.apiToken) metadata.set("dapr-api-token", dapr.apiToken);
  // STATE_CONSISTENCY=strong: each StateItem asks for it (Redis's store then WAITs for its replicas); else none.
  const itemOptions = dapr.consistency ? { options: { consistency: CONSISTENCY[dapr.consistency] } } : {};
  // #endregion client

  /** One unary call; the loop's signal cancels it (RST_STREAM, which also ends daprd's work on it). */
  function unary<I extends DescMessage, O extends DescMessage | undefined>(
    method: keyof typeof Dapr.method,
    input: I,
    request: MessageShape<I>,
    output: O,
    signal: AbortSignal,
  ): Promise<O extends DescMessage ? MessageShape<O> : void> {
    type Result = O extends DescMessage ? MessageShape<O> : void;
    signal.throwIfAborted();
    return new Promise<Result>((resolve, reject) => {
      // #region call
      const call = client.makeUnaryRequest<MessageShape<I>, Result>(
        `/${Dapr.typeName}/${Dapr.method[method].name}`,
        (msg) => {
          const bytes = toBinary(input, msg);
          return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        },
        // SaveState answers google.protobuf.Empty: nothing to decode.
        (bytes) => (output ? fromBinary(output, bytes) : undefined) as Result,
        request,
        metadata.clone(),
        (err: ServiceError | null, value?: Result) => {
          signal.removeEventListener("abort", cancel);
          // grpc-js says e.g. "14 UNAVAILABLE: No connection established. Last error: ...": name the
          // method in front, drop an empty "Resolution note:" at the end. (No `cause`: the loop
          // prints a cause's message too, and it would say the same again.)
          if (err) {
            const text = err.message.replace(/\s*Resolution note:\s*$/, "");
            reject(Object.assign(new Error(`${Dapr.method[method].name}: ${text}`), { code: err.code }));
          } else resolve(value as Result);
        },
      );
      const cancel = () => call.cancel();
      signal.addEventListener("abort", cancel, { once: true });
      // #endregion call
    });
  }

  // #region store
  return {
    async save(order: Order, signal: AbortSignal) {
      // The value travels as bytes; JSON keeps it identical to what the HTTP API stores.
      const value = Buffer.from(JSON.stringify(order));
      const req = create(SaveStateRequestSchema, {
        storeName: dapr.storeName,
        states: [{ key: order.orderId, value, ...itemOptions }],
      });
      await unary("saveState", SaveStateRequestSchema, req, undefined, signal);
    },
    async get(orderId: string, signal: AbortSignal) {
      const req = create(GetStateRequestSchema, { storeName: dapr.storeName, key: orderId });
      const res = await unary("getState", GetStateRequestSchema, req, GetStateResponseSchema, signal);
      // A missing key is an empty `data`.
      return res.data.length === 0 ? undefined : JSON.parse(decoder.decode(res.data));
    },
    async close() {
      client.close();
    },
  };
  // #endregion store
}
