// @ts-check
// daprd-log.mjs against daprd's own lines: the 1.18.2 lines below were captured
// whole from a real run here (daprd 1.18.2, the sdk-app, its Redis stopped and
// started again; instance= is the machine's name); the seed's older wording is
// copied from /work/shared/seed/resiliency-state-management-quickstart.md.
import { describe, expect, it } from "vitest";
import { classify, parseDaprdLine, resiliencyLines, startFailure } from "./daprd-log.mjs";

const DAPRD_1_18_2 = {
  retry:
    'time="2026-11-27T10:14:21.027006132Z" level=warning msg="Error processing operation component[statestore] output. Retrying in 5s…" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  closedToOpen:
    'time="2026-11-27T10:14:53.676505266Z" level=info msg="Circuit breaker \\"simpleCB-statestore\\" changed state from closed to open" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  openToHalfOpen:
    'time="2026-11-27T10:14:58.677618649Z" level=info msg="Circuit breaker \\"simpleCB-statestore\\" changed state from open to half-open" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  halfOpenToOpen:
    'time="2026-11-27T10:15:00.218831203Z" level=info msg="Circuit breaker \\"simpleCB-statestore\\" changed state from half-open to open" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  halfOpenToClosed:
    'time="2026-11-27T10:15:05.253637808Z" level=info msg="Circuit breaker \\"simpleCB-statestore\\" changed state from half-open to closed" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  recovered:
    'time="2026-11-27T10:15:05.253733172Z" level=info msg="Recovered processing operation component[statestore] output after 7 attempts" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  // lines that are none of the above
  loading:
    'time="2026-11-27T10:14:14.814110407Z" level=info msg="Loading Resiliency configuration: myresiliency" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  loaded:
    'time="2026-11-27T10:14:14.824772427Z" level=info msg="Component loaded: statestore (state.redis/v1)" app_id=order-processor instance=vm scope=dapr.runtime.processor type=log ver=1.18.2',
  shutdown:
    'time="2026-11-27T10:15:08.313922558Z" level=info msg="Shutting down component statestore (state.redis/v1)" app_id=order-processor instance=vm scope=dapr.runtime type=log ver=1.18.2',
  placement:
    'time="2026-11-27T10:15:08.299457949Z" level=warning msg="Error receiving from stream: rpc error: code = Canceled desc = context canceled" app_id=order-processor instance=vm scope=dapr.runtime.actors.placement.loops.stream type=log ver=1.18.2',
};

// The seed's daprd printed logrus's text format (`INFO[0006] msg`), not logfmt: its msg is the rest of the line.
const SEED = {
  retry: "INFO[0006] Error processing operation component[statestore] output. Retrying... ",
  closedToOpen: 'INFO[0026] Circuit breaker "simpleCB-statestore" changed state from closed to open',
  openToHalfOpen: 'INFO[0031] Circuit breaker "simpleCB-statestore" changed state from open to half-open',
  halfOpenToOpen: 'INFO[0031] Circuit breaker "simpleCB-statestore" changed state from half-open to open',
  recovered: "INFO[0036] Recovered processing operation component[statestore] output.",
};
const seedEvent = (/** @type {string} */ line) => ({ source: "daprd", msg: line.replace(/^[A-Z]+\[\d+\] /, "") });

/** @param {string} line */
const daprdEvent = (line) => ({ source: "daprd", line, ...parseDaprdLine(line) });
const lines = resiliencyLines("statestore", "simpleCB-statestore");

describe("parseDaprdLine on daprd 1.18.2's logfmt", () => {
  it("reads level, msg (unescaping its quotes), scope and every field", () => {
    const p = parseDaprdLine(DAPRD_1_18_2.closedToOpen);
    expect(p).toMatchObject({
      level: "info",
      msg: 'Circuit breaker "simpleCB-statestore" changed state from closed to open',
      scope: "dapr.runtime",
    });
    expect(p?.fields).toMatchObject({ app_id: "order-processor", ver: "1.18.2", type: "log" });
    expect(parseDaprdLine(DAPRD_1_18_2.retry)?.level).toBe("warning");
  });
  it("is undefined for what is not a daprd line", () => {
    expect(parseDaprdLine("Saving Order:  { orderId: '1' }")).toBeUndefined();
    expect(parseDaprdLine(SEED.retry)).toBeUndefined();
  });
});

describe("classify", () => {
  it.each([
    ["retry", { kind: "retry" }],
    ["closedToOpen", { kind: "transition", from: "closed", to: "open" }],
    ["openToHalfOpen", { kind: "transition", from: "open", to: "half-open" }],
    ["halfOpenToOpen", { kind: "transition", from: "half-open", to: "open" }],
    ["halfOpenToClosed", { kind: "transition", from: "half-open", to: "closed" }],
    ["recovered", { kind: "recovered", attempts: 7 }],
  ])("daprd 1.18.2 %s", (name, expected) => {
    expect(classify(daprdEvent(DAPRD_1_18_2[/** @type {keyof typeof DAPRD_1_18_2} */ (name)]), lines)).toEqual(
      expected,
    );
  });
  it.each(["loading", "loaded", "shutdown", "placement"])("daprd 1.18.2 %s is no resiliency line", (name) => {
    expect(classify(daprdEvent(DAPRD_1_18_2[/** @type {keyof typeof DAPRD_1_18_2} */ (name)]), lines)).toBeUndefined();
  });
  it.each([
    ["retry", { kind: "retry" }],
    ["closedToOpen", { kind: "transition", from: "closed", to: "open" }],
    ["openToHalfOpen", { kind: "transition", from: "open", to: "half-open" }],
    ["halfOpenToOpen", { kind: "transition", from: "half-open", to: "open" }],
    ["recovered", { kind: "recovered", attempts: undefined }],
  ])("the seed's %s", (name, expected) => {
    expect(classify(seedEvent(SEED[/** @type {keyof typeof SEED} */ (name)]), lines)).toEqual(expected);
  });
  it("does not take other components, other breakers, or the app's lines", () => {
    const other = resiliencyLines("pubsub", "simpleCB-pubsub");
    expect(classify(daprdEvent(DAPRD_1_18_2.retry), other)).toBeUndefined();
    expect(classify(daprdEvent(DAPRD_1_18_2.recovered), other)).toBeUndefined();
    expect(classify(daprdEvent(DAPRD_1_18_2.closedToOpen), resiliencyLines("statestore", "otherCB-statestore"))).toBe(
      undefined,
    );
    const echoed = { source: "app", msg: parseDaprdLine(DAPRD_1_18_2.retry)?.msg };
    expect(classify(echoed, lines)).toBeUndefined();
  });
  it("names the breaker after the policy and the component by default", () => {
    expect(classify(daprdEvent(DAPRD_1_18_2.halfOpenToOpen), resiliencyLines())).toMatchObject({ kind: "transition" });
  });
});

describe("startFailure: daprd's lines that make a start a failed one", () => {
  it.each([
    ["error", "Failed to init component statestore (state.redis/v1): … NOAUTH Authentication required.", "component"],
    [
      "warning",
      "Error processing component, daprd will exit gracefully: process component statestore error: …",
      "component",
    ],
    ["error", "Could not read resiliency policy myresiliency: error decoding 'trip': invalid Expr …", "resiliency"],
    ["error", "Could not parse resiliency file resiliency.yaml: error unmarshaling JSON: …", "resiliency"],
    ["info", "Loading Resiliency configuration: myresiliency", undefined],
    ["info", "Could not read resiliency policy x: an info line is not daprd's error", undefined],
    ["error", "Failed to connect to scheduler host: …", undefined],
  ])("%s %s → %s", (level, msg, what) => {
    expect(startFailure({ level, msg })).toBe(what);
  });
});
