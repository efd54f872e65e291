// @ts-check
import { describe, expect, it } from "vitest";
import { parseMonitorLine, writtenKey } from "./redis-monitor.mjs";

describe("redis-cli monitor's lines", () => {
  it("a script call from a client: its time, client and arguments, quotes undone", () => {
    const c = parseMonitorLine(
      '1764594564.506123 [0 127.0.0.1:40364] "EVAL" "\\n\\tlocal etag = redis.pcall(\\"HGET\\", KEYS[1])" "1" "order-processor||4" "{\\"orderId\\":\\"4\\"}"',
    );
    expect(c?.at).toBeCloseTo(1764594564.506123, 6);
    expect(c?.client).toBe("127.0.0.1:40364");
    expect(c?.args[0]).toBe("EVAL");
    expect(c?.args[4]).toBe('{"orderId":"4"}');
    expect(c && writtenKey(c)).toBe("order-processor||4");
  });

  it("what a script runs inside Redis, reads, and the OK line are no write attempt", () => {
    const lua = parseMonitorLine('1764594564.506200 [0 lua] "HSET" "order-processor||4" "data" "x"');
    expect(lua && writtenKey(lua)).toBeUndefined();
    const read = parseMonitorLine('1764594564.509 [0 127.0.0.1:40364] "HGETALL" "order-processor||4"');
    expect(read && writtenKey(read)).toBeUndefined();
    expect(parseMonitorLine("OK")).toBeUndefined();
    const set = parseMonitorLine('1764594564.6 [0 127.0.0.1:1] "SET" "k" "v"');
    expect(set && writtenKey(set)).toBe("k");
  });
});
