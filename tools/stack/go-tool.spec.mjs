// @ts-check
// Without Go, a tool that must build from a Go module says so and how to get Go.
import { afterEach, describe, expect, it } from "vitest";
import { ToolError } from "../cli/errors.mjs";
import { requireGo } from "./go-tool.mjs";

describe("requireGo", () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });
  it("names what needs Go, where to get it and the command to run again", async () => {
    process.env.PATH = "/nonexistent";
    const err = await requireGo("toxiproxy-server 2.12.0", "the lab's fault proxy", "npx zx tools/demo.mjs lab").catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err.message).toMatch(
      /Go is not installed, and the lab's fault proxy needs it to build toxiproxy-server 2\.12\.0/,
    );
    expect(err.fix).toMatch(/go\.dev\/dl.*npx zx tools\/demo\.mjs lab/);
  });
});
