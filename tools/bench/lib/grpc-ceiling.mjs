// @ts-check
// The gRPC ceiling: the cheapest gRPC client we could write for daprd's
// SaveState and GetState. node:http2 on one long-lived session (calls
// multiplexed as streams, as grpc-js does), the 5-byte gRPC message prefix
// written by hand, the messages encoded by protobuf-es from @dapr/dapr's
// descriptors (the same encoder grpc-app uses, so the gap between the two is
// grpc-js's). No channel, no filters, no retries, no deadlines.
import http2 from "node:http2";
import { createRequire } from "node:module";

/** @typedef {import("./stores.mjs").Store} Store */
/** @typedef {import("./stores.mjs").Endpoint} Endpoint */

const require = createRequire(import.meta.url);
// The CommonJS protobuf-es build: the copy @dapr/dapr's descriptors load (as grpc-app does).
const { create, fromBinary, toBinary } = /** @type {typeof import("@bufbuild/protobuf")} */ (
  require("@bufbuild/protobuf")
);
const pb = /** @type {typeof import("@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js")} */ (
  require("@dapr/dapr/proto/dapr/proto/runtime/v1/dapr_pb.js")
);

const { HTTP2_HEADER_PATH, HTTP2_HEADER_METHOD, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE } = http2.constants;

/** A gRPC message: compressed flag 0, big-endian length, the bytes. @param {Uint8Array} body */
export function frame(body) {
  const out = Buffer.allocUnsafe(5 + body.byteLength);
  out[0] = 0;
  out.writeUInt32BE(body.byteLength, 1);
  out.set(body, 5);
  return out;
}

/** The message of a unary response's body (one message, uncompressed), or undefined if the body is empty. @param {Buffer} body */
export function unframe(body) {
  if (body.length === 0) return undefined;
  if (body.length < 5 || body[0] !== 0) throw new Error(`unexpected gRPC response framing (${body.length} bytes)`);
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new Error(`truncated gRPC message: ${body.length - 5} of ${len} bytes`);
  return body.subarray(5, 5 + len);
}

/**
 * @param {Endpoint} dapr
 * @returns {Promise<Store>}
 */
export async function grpcCeilingStore(dapr) {
  const host = dapr.host.includes(":") ? `[${dapr.host}]` : dapr.host;
  const session = http2.connect(`http://${host}:${dapr.grpcPort}`);
  session.on("error", () => undefined); // each call's stream reports it
  await new Promise((resolve, reject) => {
    session.once("connect", resolve);
    session.once("error", reject);
  });
  /** @param {string} method */
  const headersFor = (method) => {
    /** @type {http2.OutgoingHttpHeaders} */
    const h = {
      [HTTP2_HEADER_METHOD]: "POST",
      [HTTP2_HEADER_PATH]: `/${pb.Dapr.typeName}/${method}`,
      [HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
      [HTTP2_HEADER_TE]: "trailers",
    };
    if (dapr.apiToken) h["dapr-api-token"] = dapr.apiToken;
    return h;
  };
  const saveHeaders = headersFor("SaveState");
  const getHeaders = headersFor("GetState");

  /** One unary call: the framed request, then the body and grpc-status (in trailers, or in headers if trailers-only). */
  function unary(/** @type {http2.OutgoingHttpHeaders} */ headers, /** @type {Uint8Array} */ body) {
    return new Promise((resolve, reject) => {
      const stream = session.request(headers);
      /** @type {Buffer[]} */
      const chunks = [];
      /** @type {http2.IncomingHttpHeaders | undefined} */
      let status;
      stream.on("response", (h) => {
        if (h["grpc-status"] !== undefined) status = h;
      });
      stream.on("trailers", (t) => (status = t));
      stream.on("data", (c) => chunks.push(c));
      stream.on("error", reject);
      stream.on("end", () => {
        const code = Number(status?.["grpc-status"] ?? NaN);
        if (code !== 0)
          return reject(new Error(`gRPC status ${status?.["grpc-status"]}: ${status?.["grpc-message"] ?? ""}`));
        try {
          resolve(unframe(chunks.length === 1 ? /** @type {Buffer} */ (chunks[0]) : Buffer.concat(chunks)));
        } catch (err) {
          reject(err);
        }
      });
      stream.end(frame(body));
    });
  }

  return {
    async save(order) {
      const req = create(pb.SaveStateRequestSchema, {
        storeName: dapr.storeName,
        states: [{ key: order.orderId, value: Buffer.from(JSON.stringify(order)) }],
      });
      await unary(saveHeaders, toBinary(pb.SaveStateRequestSchema, req));
    },
    async get(id) {
      const req = create(pb.GetStateRequestSchema, { storeName: dapr.storeName, key: id });
      const bytes = await unary(getHeaders, toBinary(pb.GetStateRequestSchema, req));
      const res = fromBinary(pb.GetStateResponseSchema, bytes ?? new Uint8Array());
      return res.data.length === 0 ? undefined : JSON.parse(Buffer.from(res.data).toString());
    },
    close: async () => void session.close(),
  };
}
