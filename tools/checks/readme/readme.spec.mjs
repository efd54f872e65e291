// @ts-check
// The README output check's own logic: finding and rewriting marked blocks,
// the normaliser, cutting a part out of a command's output, and comparing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findBlocks, replaceBlocks } from "./blocks.mjs";
import { normalise } from "./normalise.mjs";
import { selectOutput, stopAfter } from "./select.mjs";
import { compareBlocks, readBlocks, runForOutput, updateBlocks } from "./outputs.mjs";

const README = [
  "# Title",
  "",
  "1. **Start**:",
  "",
  "   <!-- output: walkthrough sdk, step 1 -->",
  "",
  "   ```text",
  "   1. Start sdk-app beside daprd",
  "   [0006] daprd       Component loaded: statestore (state.redis/v1)",
  "   ```",
  "",
  "Unmarked:",
  "",
  "```text",
  "not checked",
  "```",
  "",
  "<!-- output: npm test, summary -->",
  "```text",
  "158 passed, 0 failed",
  "```",
  "",
].join("\n");

const WALKTHROUGH = [
  "",
  "\x1b[1m1. Start sdk-app beside daprd\x1b[22m",
  "\x1b[2m[0004]\x1b[22m daprd       Component loaded: statestore (state.redis/v1)",
  "[0005] walkthrough daprd ready (HTTP 41831, gRPC 44663, metrics 46599); app started",
  "",
  "2. Wait until orders are flowing",
  "[0008] app         Saving Order:  { orderId: '1' }",
  "",
  "Verdict for sdk-app: PASS",
  "  ✔ met      orders flow                          at 9.3 s",
  "",
  "  Orders: 3 saved before the outage",
  "",
].join("\n");

describe("findBlocks", () => {
  it("finds each marked block, with its source, part, marker line, indentation and body", () => {
    const blocks = findBlocks(README, "docs/x.md");
    expect(
      blocks.map(({ file, source, select, line, indent, body }) => ({ file, source, select, line, indent, body })),
    ).toEqual([
      {
        file: "docs/x.md",
        source: "walkthrough sdk",
        select: "step 1",
        line: 5,
        indent: "   ",
        body: "1. Start sdk-app beside daprd\n[0006] daprd       Component loaded: statestore (state.redis/v1)",
      },
      { file: "docs/x.md", source: "npm test", select: "summary", line: 18, indent: "", body: "158 passed, 0 failed" },
    ]);
  });

  it("refuses a marker with no code block after it, naming the line", () => {
    expect(() => findBlocks("a\n<!-- output: npm test, summary -->\ntext\n")).toThrow(
      "README.md:2: the marker is not followed by a fenced code block",
    );
  });
});

describe("replaceBlocks", () => {
  it("rewrites only the marked bodies, indented like their fence", () => {
    const [step1, summary] = findBlocks(README);
    if (!step1 || !summary) throw new Error("blocks missing");
    const out = replaceBlocks(
      README,
      new Map([
        [step1, "1. Start sdk-app\n\n[0001] new line"],
        [summary, "160 passed, 0 failed"],
      ]),
    );
    expect(out).toContain("   ```text\n   1. Start sdk-app\n\n   [0001] new line\n   ```\n");
    expect(out).toContain("```text\n160 passed, 0 failed\n```");
    expect(out).toContain("```text\nnot checked\n```");
    expect(findBlocks(out).map((b) => b.body)).toEqual(["1. Start sdk-app\n\n[0001] new line", "160 passed, 0 failed"]);
  });
});

describe("normalise", () => {
  it("ignores timestamps, durations, ports, pids, attempts, temp paths, home and column padding", () => {
    const a = normalise(
      `[0012] walkthrough ✔ daprd retries (3.6 s after Redis stopped)\n[0007] daprd ready (HTTP 41831, gRPC 44663, metrics 46599)\nstarted placement (pid 1234, log ${os.homedir()}/x.log) on 127.0.0.1:50005\nRecovered … after 7 attempts\nresources copied to /tmp/dapr-resources-AbC123\n  ✔ met      orders flow        at 9.3 s`,
    );
    const b = normalise(
      `\x1b[2m[0013]\x1b[22m walkthrough ✔ daprd retries (4.1 s after Redis stopped)\n[0009] daprd ready (HTTP 39725, gRPC 34575, metrics 34995)\nstarted placement (pid 99, log ~/x.log) on 127.0.0.1:50006\nRecovered … after 6 attempts\nresources copied to /tmp/dapr-resources-zz9\n  ✔ met orders flow at 10.0 s  \n\n`,
    );
    expect(a).toBe(b);
  });

  it("leaves out lines about what an earlier run left, and writes any home folder as ~", () => {
    expect(
      normalise(
        "1. Start\n[0001] walkthrough cleared 6 order keys (order-processor||*) left by an earlier run, so …\n[0002] x",
      ),
    ).toBe("1. Start\n[····] x");
    expect(normalise("data in /home/ci/.dapr-resiliency/redis)")).toBe(
      normalise("data in /root/.dapr-resiliency/redis)"),
    );
  });

  it("keeps what must not change: order ids, counts, words", () => {
    expect(normalise("Saving Order:  { orderId: '4' }")).not.toBe(normalise("Saving Order:  { orderId: '5' }"));
    expect(normalise("Orders: 3 saved before the outage")).not.toBe(normalise("Orders: 2 saved before the outage"));
    expect(normalise("Verdict for sdk-app: PASS")).not.toBe(normalise("Verdict for sdk-app: FAIL"));
  });
});

describe("selectOutput", () => {
  it("step N: its heading up to the next heading, colours removed", () => {
    expect(selectOutput(WALKTHROUGH, "step 1")).toBe(
      "1. Start sdk-app beside daprd\n[0004] daprd       Component loaded: statestore (state.redis/v1)\n[0005] walkthrough daprd ready (HTTP 41831, gRPC 44663, metrics 46599); app started",
    );
    expect(selectOutput(WALKTHROUGH, "step 2")).toBe(
      "2. Wait until orders are flowing\n[0008] app         Saving Order:  { orderId: '1' }",
    );
    expect(selectOutput(WALKTHROUGH, "step 7")).toBeUndefined();
  });

  it("verdict: to the end, blank lines inside kept", () => {
    expect(selectOutput(WALKTHROUGH, "verdict")).toBe(
      "Verdict for sdk-app: PASS\n  ✔ met      orders flow                          at 9.3 s\n\n  Orders: 3 saved before the outage",
    );
  });

  it("until TEXT, summary, and the whole output", () => {
    expect(selectOutput("> nx run x\n\na\nb\nc\n", "until b")).toBe("> nx run x\n\na\nb");
    const nx =
      "\n NX   Running target dapr\n\n✔  nx run order-model:build  [local cache]\n\n> nx run http-app:dapr\r\n\n> zx tools/run.mjs http\n[0002] b\n[0003] b\n";
    expect(selectOutput(nx, "from > nx run http-app:dapr until b")).toBe(
      "> nx run http-app:dapr\n\n> zx tools/run.mjs http\n[0002] b",
    );
    expect(selectOutput(nx, "from > nx run grpc-app:dapr until b")).toBeUndefined();
    expect(stopAfter("from > nx run until Getting Order:  { orderId: '4' }")).toBe("Getting Order:  { orderId: '4' }");
    expect(stopAfter("until Getting Order:  { orderId: '4' }")).toBe("Getting Order:  { orderId: '4' }");
    expect(stopAfter("step 1")).toBeUndefined();
    expect(selectOutput("x\n158 passed, 0 failed\n", "summary")).toBe("158 passed, 0 failed");
    expect(selectOutput("\n\na\nb\n\n", "")).toBe("a\nb");
    expect(() => selectOutput("a", "lines 1-3")).toThrow(/unknown output selector "lines 1-3"/);
  });
});

describe("compareBlocks", () => {
  const blocks = findBlocks(README);
  it("a block matches a later run that differs only in times and ports", () => {
    const [r] = compareBlocks(blocks, { "walkthrough sdk": WALKTHROUGH.replace("[0004]", "[0009]") });
    expect(r?.ok).toBe(false); // the README block lacks the 'daprd ready' line the run printed
    expect(r?.why).toBe(
      'line 3: the doc has "(nothing)", the run printed "[····] walkthrough daprd ready (HTTP ‹n›, gRPC ‹n›, metrics ‹n›); app started"',
    );
    const same = WALKTHROUGH.replace(
      "[0005] walkthrough daprd ready (HTTP 41831, gRPC 44663, metrics 46599); app started\n",
      "",
    );
    expect(compareBlocks(blocks, { "walkthrough sdk": same })[0]).toMatchObject({ ok: true });
  });

  it("the same lines interleaved differently (two processes in the same moment) still match", () => {
    const swapped = WALKTHROUGH.replace(
      "\x1b[2m[0004]\x1b[22m daprd       Component loaded: statestore (state.redis/v1)\n[0005] walkthrough daprd ready (HTTP 41831, gRPC 44663, metrics 46599); app started",
      "[0005] walkthrough daprd ready (HTTP 41831, gRPC 44663, metrics 46599); app started\n[0004] daprd       Component loaded: statestore (state.redis/v1)",
    );
    const block = findBlocks(
      README.replace(
        "   ```\n\nUnmarked",
        "   [0007] walkthrough daprd ready (HTTP 1, gRPC 2, metrics 3); app started\n   ```\n\nUnmarked",
      ),
    );
    expect(swapped).not.toBe(WALKTHROUGH);
    expect(compareBlocks(block, { "walkthrough sdk": swapped })[0]).toMatchObject({ ok: true });
    expect(
      compareBlocks(block, { "walkthrough sdk": swapped.replace("state.redis/v1", "state.redis/v2") })[0],
    ).toMatchObject({ ok: false });
  });

  it("a part the run did not print fails; sources not run are left out", () => {
    expect(compareBlocks(blocks, { "walkthrough sdk": "nothing" })).toEqual([
      expect.objectContaining({ ok: false, why: 'the run printed no "step 1"' }),
    ]);
    expect(compareBlocks(blocks, {})).toEqual([]);
  });
});

describe("runForOutput", () => {
  it("stops a command that runs until stopped (SIGINT) once the text appeared, and returns what it printed", async () => {
    const script =
      "let i = 0; process.on('SIGINT', () => { console.log('stopped'); process.exit(0); }); setInterval(() => console.log(`line ${++i}`), 20);";
    const r = await runForOutput([process.execPath, "-e", script], { timeoutMs: 20_000, stopText: "line 3\n" });
    expect(r.code).toBe(0);
    expect(selectOutput(r.stdout, "until line 3")).toBe("line 1\nline 2\nline 3");
    expect(r.stdout).toMatch(/stopped\n$/);
  });
});

describe("updateBlocks", () => {
  it("rewrites a README's blocks from a run (leaving out state-dependent lines), after which they all match", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-update-"));
    try {
      const file = path.join(dir, "README.md");
      fs.writeFileSync(file, README);
      const run = WALKTHROUGH.replace(
        "\x1b[1m1. Start sdk-app beside daprd\x1b[22m",
        "1. Start sdk-app beside daprd\n[0003] walkthrough cleared 6 order keys (order-processor||*) left by an earlier run",
      );
      expect(compareBlocks(readBlocks([file]), { "walkthrough sdk": run })[0]?.ok).toBe(false);
      expect(updateBlocks({ "walkthrough sdk": run }, [file])).toBe(1);
      const text = fs.readFileSync(file, "utf8");
      expect(text).not.toContain("left by an earlier run");
      expect(text).toContain(
        "   [0005] walkthrough daprd ready (HTTP 41831, gRPC 44663, metrics 46599); app started\n   ```",
      );
      expect(text).toContain("158 passed, 0 failed"); // a source not run stays as it was
      expect(compareBlocks(readBlocks([file]), { "walkthrough sdk": run }).map((r) => r.ok)).toEqual([true]);
      expect(updateBlocks({ "walkthrough sdk": run }, [file])).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("several docs", () => {
  it("reads the blocks of each doc, named by file and line, and rewrites each in its own file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-files-"));
    try {
      const a = path.join(dir, "a.md");
      const b = path.join(dir, "b.md");
      fs.writeFileSync(a, README);
      fs.writeFileSync(b, "# B\n\n<!-- output: walkthrough sdk, step 2 -->\n\n```text\nold\n```\n");
      const blocks = readBlocks([a, b]);
      expect(blocks.map((x) => `${x.file === a ? "a" : "b"}:${x.line} ${x.source}, ${x.select}`)).toEqual([
        "a:5 walkthrough sdk, step 1",
        "a:18 npm test, summary",
        "b:3 walkthrough sdk, step 2",
      ]);
      const results = compareBlocks(blocks, { "walkthrough sdk": WALKTHROUGH });
      expect(results.map((r) => r.ok)).toEqual([false, false]);
      expect(updateBlocks({ "walkthrough sdk": WALKTHROUGH }, [a, b])).toBe(2);
      expect(fs.readFileSync(b, "utf8")).toBe(
        "# B\n\n<!-- output: walkthrough sdk, step 2 -->\n\n```text\n2. Wait until orders are flowing\n[0008] app         Saving Order:  { orderId: '1' }\n```\n",
      );
      expect(compareBlocks(readBlocks([a, b]), { "walkthrough sdk": WALKTHROUGH }).map((r) => r.ok)).toEqual([
        true,
        true,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
