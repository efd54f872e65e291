// @ts-check
// The profile reduction on FAKE profiles (hand-made node trees and samples), and one real profile of this process.
import { describe, expect, it } from "vitest";
import { originOf, profiled, reduceProfile } from "./profile.mjs";

/** @param {string} functionName @param {string} url */
const frame = (functionName, url = "", lineNumber = 9) => ({ functionName, url, lineNumber, columnNumber: 0 });

/** FAKE profile for unit tests: node ids 1..n with these frames; `samples` name node ids, each `deltaUs` apart. */
function fakeProfile(/** @type {ReturnType<typeof frame>[]} */ frames, /** @type {number[]} */ samples, deltaUs = 100) {
  return {
    nodes: [{ id: 1, callFrame: frame("(root)") }, ...frames.map((f, i) => ({ id: i + 2, callFrame: f }))],
    startTime: 0,
    endTime: samples.length * deltaUs,
    samples,
    timeDeltas: samples.map(() => deltaUs),
  };
}

describe("originOf", () => {
  it.each([
    ["/r/node_modules/@grpc/grpc-js/build/src/client.js", "grpc-js"],
    ["file:///r/node_modules/@bufbuild/protobuf/dist/cjs/wire/binary-encoding.js", "protobuf-es"],
    ["/r/node_modules/@dapr/dapr/implementation/Client/HTTPClient/HTTPClient.js", "@dapr/dapr"],
    ["/r/node_modules/@dapr/dapr/node_modules/node-fetch/lib/index.js", "node-fetch"],
    ["/r/node_modules/@connectrpc/connect/dist/cjs/connect-error.js", "connect-es"],
    ["/r/node_modules/@redis/client/dist/lib/client/index.js", "node-redis"],
    ["/r/node_modules/yaml/dist/index.js", "other packages"],
    ["node:internal/http2/core", "Node http/http2"],
    ["node:_http_client", "Node http/http2"],
    ["node:internal/streams/writable", "Node net/streams"],
    ["node:net", "Node net/streams"],
    ["node:internal/process/task_queues", "Node other"],
    ["file:///work/main/apps/http-app/dist/order-store.js", "our code"],
  ])("%s is %s", (url, origin) => expect(originOf(frame("f", url))).toBe(origin));
  it("names V8's own entries", () => {
    expect(originOf(frame("(garbage collector)"))).toBe("GC");
    expect(originOf(frame("(idle)"))).toBe("idle");
    expect(originOf(frame("(program)"))).toBe("V8 builtins & native");
    expect(originOf(frame("JSON.parse"))).toBe("V8 builtins & native");
  });
});

describe("reduceProfile (fake profiles)", () => {
  const frames = [
    frame("makeUnaryRequest", "/r/node_modules/@grpc/grpc-js/build/src/client.js", 123),
    frame("toBinary", "/r/node_modules/@bufbuild/protobuf/dist/cjs/to-binary.js"),
    frame("(garbage collector)"),
    frame("(idle)"),
    frame("save", "file:///r/tools/bench/lib/driver.mjs", 40),
  ];
  // ids: 2 grpc-js, 3 protobuf, 4 GC, 5 idle, 6 ours
  const p = fakeProfile(frames, [2, 2, 2, 3, 4, 5, 5, 5, 5, 6]);

  it("sums self time by origin from the time deltas, idle apart", () => {
    const r = reduceProfile(p);
    expect(r.origins).toMatchObject({ "grpc-js": 0.3, "protobuf-es": 0.1, GC: 0.1, idle: 0.4, "our code": 0.1 });
    expect(r.sampledMs).toBeCloseTo(1.0);
    expect(r.busyMs).toBeCloseTo(0.6);
    expect(r.samples).toBe(10);
  });

  it("ranks functions by self time, without idle, with a short place", () => {
    const r = reduceProfile(p, 2);
    expect(r.top).toEqual([
      { name: "makeUnaryRequest", origin: "grpc-js", where: "@grpc/grpc-js/build/src/client.js:124", ms: 0.3 },
      { name: "toBinary", origin: "protobuf-es", where: "@bufbuild/protobuf/dist/cjs/to-binary.js:10", ms: 0.1 },
    ]);
    expect(reduceProfile(p).top.map((f) => f.name)).not.toContain("(idle)");
    expect(reduceProfile(p).top.find((f) => f.name === "save")?.where).toBe("tools/bench/lib/driver.mjs:41");
    expect(reduceProfile(p).files).toEqual({
      "@grpc/grpc-js/build/src/client.js": 0.3,
      "@bufbuild/protobuf/dist/cjs/to-binary.js": 0.1,
      "(no file)": 0.1,
      "tools/bench/lib/driver.mjs": 0.1,
    });
  });

  it("gives a sample the time until the next one (uneven deltas), the last one the mean", () => {
    const q = { ...fakeProfile(frames, [2, 3, 4]), timeDeltas: [0, 500, 100], endTime: 900 };
    // sample 0 (grpc-js) lasted 500 µs, sample 1 (protobuf) 100 µs, the last (GC) the mean, 300 µs.
    expect(reduceProfile(q).origins).toMatchObject({ "grpc-js": 0.5, "protobuf-es": 0.1, GC: 0.3 });
  });

  it("is all zeros for an empty profile", () => {
    const r = reduceProfile(fakeProfile(frames, []));
    expect(r.busyMs).toBe(0);
    expect(r.top).toEqual([]);
  });
});

describe("profiled (real inspector)", () => {
  it("returns the function's result with a profile in which our busy loop shows as our code", async () => {
    const r = await profiled(async () => {
      const end = performance.now() + 150;
      let x = 0;
      while (performance.now() < end) x += Math.sqrt(x + 1);
      return { x };
    }, 500);
    expect(r.x).toBeGreaterThan(0);
    expect(r.profile.samples).toBeGreaterThan(10);
    // The loop's own frame shows as ours; the origins add up to what was sampled (a loaded machine moves the shares).
    expect(r.profile.origins["our code"] ?? 0).toBeGreaterThan(0);
    const sum = Object.values(r.profile.origins).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(r.profile.sampledMs, 1);
    expect(r.profile.busyMs).toBeGreaterThan(0);
  });
});
