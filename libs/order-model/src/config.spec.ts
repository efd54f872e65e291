import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.js";

describe("parseConfig", () => {
  it("defaults like the seed: endless orders every 500 ms from id 1, daprd on 127.0.0.1", () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({ count: Infinity, startId: 1, intervalMs: 500 });
    expect(c.endpoint).toEqual({
      host: "127.0.0.1",
      httpPort: 3500,
      grpcPort: 50001,
      apiToken: undefined,
      storeName: "statestore",
    });
  });

  it("takes flags over env, and dapr run's variables", () => {
    const c = parseConfig(["--count", "4", "--interval-ms=10"], {
      ORDER_COUNT: "9",
      ORDER_START_ID: "7",
      DAPR_HTTP_PORT: "3601",
      DAPR_GRPC_PORT: "50101",
      DAPR_API_TOKEN: "s3cret",
    });
    expect(c).toMatchObject({ count: 4, startId: 7, intervalMs: 10 });
    expect(c.endpoint).toMatchObject({ httpPort: 3601, grpcPort: 50101, apiToken: "s3cret" });
  });

  it("fills each loop field from its own flag or variable (no field left undefined)", () => {
    const c = parseConfig(["--start-id=3", "--call-timeout-ms=70"], {
      ORDER_INTERVAL_MS: "20",
      ORDER_RETRY_PAUSE_MS: "40",
    });
    expect(c).toMatchObject({ count: Infinity, startId: 3, intervalMs: 20, callTimeoutMs: 70, retryPauseMs: 40 });
    expect(parseConfig([], {})).toMatchObject({ callTimeoutMs: 60_000, retryPauseMs: 1_000 });
  });

  it("sends no consistency by default; --consistency over STATE_CONSISTENCY, either spelling case", () => {
    expect(parseConfig([], {}).endpoint.consistency).toBeUndefined();
    expect(parseConfig([], { STATE_CONSISTENCY: "" }).endpoint.consistency).toBeUndefined();
    expect(parseConfig([], { STATE_CONSISTENCY: "Strong" }).endpoint.consistency).toBe("strong");
    expect(parseConfig(["--consistency", "eventual"], { STATE_CONSISTENCY: "strong" }).endpoint.consistency).toBe(
      "eventual",
    );
  });

  it.each([
    [
      [],
      { STATE_CONSISTENCY: "linearizable" },
      /^STATE_CONSISTENCY must be "strong" or "eventual", got "linearizable"$/,
    ],
    [["--consistency=high"], {}, /^--consistency must be "strong" or "eventual", got "high"$/],
    [["--count=-1"], {}, /--count must be a whole number from 1/],
    [["--count", "-1"], {}, /To specify an option argument starting with a dash use '--count=-XYZ'/],
    [[], { ORDER_COUNT: "-1" }, /ORDER_COUNT must be a whole number from 1 to/],
    [["--count", "0"], {}, /--count must be from 1 to/],
    [["--interval-ms", "fast"], {}, /--interval-ms must be a whole number/],
    [[], { DAPR_HTTP_PORT: "abc" }, /DAPR_HTTP_PORT must be a whole number from 1 to 65535, got "abc"/],
    [[], { DAPR_GRPC_PORT: "70000" }, /DAPR_GRPC_PORT must be from 1 to 65535, got 70000/],
    [[], { ORDER_COUNT: "1.5" }, /ORDER_COUNT must be a whole number/],
    [["--orders", "3"], {}, /Unknown option '--orders'[\s\S]*Usage: order-processor/],
    [["--count"], {}, /Option '--count <value>' argument missing/],
  ])("refuses %j %j with a message naming the problem", (argv, env, message) => {
    expect(() => parseConfig(argv as string[], env)).toThrow(ConfigError);
    expect(() => parseConfig(argv as string[], env)).toThrow(message);
  });
});
