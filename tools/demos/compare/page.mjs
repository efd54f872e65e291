// @ts-check
// reports/compare.md: the tables of report.mjs with what was measured and how.
import { derive, label, ms } from "./report.mjs";
import { settingsReading } from "./settings.mjs";

/** @type {Record<string, string>} */
const BOUND_WORDS = {
  machine: "stopped by other processes taking the CPUs",
  latency: "stopped by the round trip, no core full",
  client: "its client's core full",
  daprd: "daprd's core full",
  redis: "Redis's core full",
};

/** A few sentences derived from this run's numbers. @param {any} result @returns {string[]} */
export function reading(result) {
  const { top, d } = derive(result);
  const rate = top.slice(4);
  const rows = Object.entries(/** @type {Record<string, any>} */ (result.steady.rows)).filter(([r]) => r !== "redis");
  const out = [];
  const byMax = rows.slice().sort((a, b) => b[1].max.callsPerSec.median - a[1].max.callsPerSec.median);
  if (byMax.length)
    out.push(
      `Maximum: ${byMax.map(([r, s]) => `${label(r)} ${s.max.callsPerSec.median.toFixed(0)}/s (${d[r].ceiling ? `${(d[r].ofCeiling * 100).toFixed(0)} % of the ${d[r].ceiling === "ceiling" ? "HTTP" : "gRPC"} ceiling; ` : ""}${BOUND_WORDS[s.max.boundBy] ?? s.max.boundBy})`).join(", ")}.`,
    );
  const added = rows
    .filter(([r]) => !r.endsWith("ceiling"))
    .map(([r]) => Math.max(d[r].addedSent[top].save, d[r].addedSent[top].get));
  if (added.length)
    out.push(
      `At ${rate} calls/s, counted from the actual send, the apps' clients add ${ms(Math.min(...added))}–${ms(Math.max(...added))} ms p50 (worse of save and get) over Redis direct; the HTTP ceiling adds ${ms(d.ceiling?.addedSent[top].save)} / ${ms(d.ceiling?.addedSent[top].get)} ms and the gRPC ceiling ${ms(d["grpc-ceiling"]?.addedSent[top].save)} / ${ms(d["grpc-ceiling"]?.addedSent[top].get)} ms (save / get): that much is daprd's own.`,
    );
  const lags = rows.map(([, s]) => s.open[top]?.lagP50.median).filter(Number.isFinite);
  if (lags.length)
    out.push(
      `The clock sent each call ${(Math.min(...lags) * 1000).toFixed(0)}–${(Math.max(...lags) * 1000).toFixed(0)} µs after its scheduled time at p50 (${rate}/s), where Node's timers alone were 0.5–0.8 ms late.`,
    );
  for (const [r, s] of rows) {
    const c = s.open[top]?.cpuUsPerCall;
    if (c)
      out.push(
        `${label(r)} at ${rate}/s: ${c.client.median.toFixed(0)} µs of client CPU, ${c.daprd.median.toFixed(0)} µs of daprd and ${c.redis.median.toFixed(0)} µs of Redis per call.`,
      );
  }
  return out;
}

/** @param {any} result @param {Record<string, string>} t */
export function markdown(result, t) {
  const m = result.machine;
  const v = result.versions;
  const p = result.plan;
  const o = result.pinning.observed;
  // --out and --render name this machine's paths, not how the numbers were made.
  const argv = result.argv.filter(
    (/** @type {string} */ a, /** @type {number} */ i, /** @type {string[]} */ all) =>
      !/^--(out|render)$/.test(a) && !/^--(out|render)$/.test(all[i - 1] ?? ""),
  );
  const ceilingPerCall = result.steady.rows.ceiling?.max.cpuUsPerCall;
  return `# Client styles compared

Produced by \`npx zx tools/demo.mjs compare${argv.length ? ` ${argv.join(" ")}` : ""}\` on ${result.date} in ${result.wallSeconds.toFixed(0)} s${result.quick ? " (**--quick**: small samples, not for conclusions)" : ""}.

## Machine

- ${m.cpus} × ${m.model}, ${m.memMB} MB RAM; load average (1/5/15 min) ${m.loadBefore.join(" / ")} before, ${m.loadAfter.join(" / ")} after.
- Node ${v.node}, daprd ${v.daprd}, @dapr/dapr ${v.daprSdk}, @grpc/grpc-js ${v.grpcJs ?? "–"}, redis-server ${v.redisServer} (append-only file, fsync on every write, as the project runs it), node-redis ${v.nodeRedis}.
- Pinning: ${result.pinning.note}. Observed Cpus_allowed_list: redis-server ${o.redis ?? "?"}, daprd ${o.daprd ?? "?"}, bare Node ${o.bareNode ?? "?"}. daprd and Redis share one core on purpose: the client needs the other, and with two cores the question "what does one core of server side serve" is the one this machine can answer; the ceiling row is that core's answer.
- Other processes that used CPU during the run (from /proc, CPU seconds between the run's start and end; they take cores from every row alike, and show in "waited for a CPU" below):

${t.others}

## The rows

- **Redis direct**: HSET + HGET with node-redis, one call per connection at a time (a pool, no pipelining), the floor. daprd does more per call (an EVAL etag script for a save, HGETALL for a get).
- **sdk-app over HTTP / over gRPC**, **http-app**, **grpc-app**: each app's own \`OrderStore\` (\`@dapr-resiliency/<x>-app/order-store\`) driven by \`tools/bench/lib/driver.mjs\`.
- **ceiling**: the cheapest HTTP client we could write for daprd: raw keep-alive HTTP/1.1 over sockets, hand-parsed, one request per connection at a time. Whatever it cannot get out of daprd + Redis over HTTP, no HTTP style can. The HTTP rows are reported against it.
- **gRPC ceiling**: the cheapest gRPC client we could write: \`node:http2\` on one long-lived session (calls multiplexed as streams, as grpc-js does), the 5-byte gRPC message prefix by hand, the messages encoded by protobuf-es from @dapr/dapr's descriptors (grpc-app's encoder too, so the gap between the two is grpc-js's). The gRPC rows are reported against it.

One daprd serves every row; each row is one long-lived driver process. ${p.rounds} rounds; in each the rows take turns in a fresh random order (${result.steady.order
    .map((/** @type {string[]} */ r) => r.join(" → "))
    .slice(0, 2)
    .join(
      "; ",
    )}; …); each turn warms up with ${p.rewarmCalls} calls (${p.warmCalls} once at the start) before each measurement. CPU is utime + stime from /proc/<pid>/stat (all threads, ${m.clockTicks} ticks/s) around each measurement; "waited for a CPU" is the run-queue time from /proc/<pid>/task/*/schedstat.

## Headline

${t.headline}

![latency and throughput](compare.svg)

## Maximum throughput (closed loop: ${p.concurrency} save + read-back loops for ${p.maxMs / 1000} s)

Only to find each style's maximum; its latency is that throughput restated. Median over ${p.rounds} rounds, spread as IQR and min–max.

${t.max}

${ceilingPerCall ? `daprd + Redis spend ${(ceilingPerCall.daprd.median + ceilingPerCall.redis.median).toFixed(0)} µs of CPU 0 per call under the HTTP ceiling client: one core then serves at most about ${(1e6 / (ceilingPerCall.daprd.median + ceilingPerCall.redis.median)).toFixed(0)} calls/s.` : ""}

## The two ceilings: daprd's HTTP API against its gRPC API

${t.ceilings ?? "(needs both ceiling rows)"}

## Where each client's CPU goes

${
  t.profile
    ? `One more closed-loop maximum per row after the rounds (not counted in them), under V8's sampling CPU profiler (the inspector's Profiler domain, what \`node --cpu-prof\` records; ${result.steady.rows.ceiling?.profile?.intervalUs ?? "?"} µs interval), reduced to self time by origin, in µs per call. "main thread" is the sampled JavaScript thread; "other threads" is /proc's CPU for the driver less that (libuv, V8's GC helpers, the profiler's own thread); "V8 builtins & native" is time with no JavaScript frame of its own (\`(program)\`, JSON, promise internals, native bindings). The profiler costs some throughput: compare "profiled calls/s" with the maximum above.

${t.profile}

${Object.keys(result.steady.rows)
  .filter((r) => t[`profile ${r}`])
  .map((r) => `### ${label(r)}: the costliest functions\n\n${t[`profile ${r}`]}`)
  .join("\n\n")}`
    : "Not profiled in this run."
}

## Latency at fixed rates (open loop)

Calls are sent on a fixed schedule whatever the answers do (save and get alternating, ${p.openMs / 1000} s per measurement). The clock (\`tools/bench/lib/clock.mjs\`) sleeps on a timer until 1.5 ms before a call's slot, then polls on \`setImmediate\` (answers keep being served in between) until the slot; "send lag" is how late the call went out. Each latency is given twice: from the scheduled time, so a stall is charged to every call it delays (no coordinated omission), and from the actual send, so the clock's lateness is left out. "added" = this row's p50 minus Redis direct's at the same rate. The polling burns the driver's own core: its CPU (polls × the CPU of an empty poll, measured before each run) is shown in brackets and taken out of the client's CPU per call. Dapr's own performance tests run at 1,000 QPS.

${p.rates.map((/** @type {number} */ r) => `### ${r} calls/s\n\n${t[`open ${r}/s`]}`).join("\n\n")}

## Start-up and memory

Where the time to the first call goes, from fresh bench drivers (${p.driverStartupReps} each): Node's own start (performance.now() at the driver's first line), importing the client module, creating the client, the first save and the first read-back.

${t.startupDrivers}

The real apps (\`node apps/<x>-app/dist/main.js --count 3 --interval-ms 0\`, ${p.startupReps} run(s) each, daprd already ready): spawn to the first \`Saving Order\` line (printed after the save succeeded). The drivers' spawn → first read-back (above) is the client's share of that time; the rest is the app's own start (its order loop, configuration, its first line). RSS sampled at orders 4, 7 and 10 of a \`--count 12\` run; bare Node is an idle \`node -e\` in the same run, ${ms(result.steady.bareRssMB.median)} MB (sampled ${result.steady.measurements.length} times), daprd ${ms(result.steady.daprdRssMB.median)} MB.

${t.startupApps}

## daprd settings

${
  t.settings
    ? `Each setting has a daprd of its own, all up at once beside the default one (\`resources/\` as they are), each driven by the HTTP ceiling client and by http-app's store: ${p.settingsRounds} rounds, each pair in a fresh random order per round, a ${p.settingsMaxMs / 1000} s closed-loop maximum then ${p.settingsOpenMs / 1000} s at ${Math.max(...p.rates)} calls/s. "faster in rounds" pairs each round with the default's same round (the rounds interleave, so a burst of load elsewhere hits both); "range clear" means every round of the setting beat every round of the default. Only that counts as a win here.

${t.settingsChanges}

${t.settings}

${settingsReading(result.settings)
  .map((l) => "- " + l)
  .join("\n")}`
    : "Not measured in this run (--quick without --settings)."
}

## Targets

${t.targets}

## Redis outage

${result.outage.note}

${t.outage ?? "(skipped)"}

## Code

Client-specific code is apps/<x>-app/src/*.ts without tests; packages: package-lock.json's tree from the app's dependencies, the workspace library left out.

${t.code}

## Reading the numbers

${reading(result)
  .map((l) => `- ${l}`)
  .join("\n")}
- The ranges are round to round on a shared 2-core machine; other processes (listed above) move them. Nothing here is a threshold.
`;
}
