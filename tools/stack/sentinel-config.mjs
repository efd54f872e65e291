// @ts-check
// Pure text in and out for a Sentinel cluster (the failover demo, the soak): the redis.conf and
// sentinel.conf it writes, the state store metadata daprd gets, and the
// parsers for what Redis and Sentinel answer. No processes here, so the
// unit tests cover all of it.

export const MASTER_NAME = "orders";

/**
 * How long Sentinel waits, and why (see docs/failover.md):
 * - downAfterMs: a primary that has not answered PING for this long is "subjectively down". A healthy Redis
 *   on loopback answers in well under a millisecond, but on this loaded 2-core machine 1 s was too short:
 *   a freshly promoted primary missed it and the Sentinels failed over a second time, dropping writes
 *   (seen in a real run, see docs/failover.md). 2 s gave no false failover, and detection + daprd's 5 s retry
 *   still ends under the 10 s target.
 * - failoverTimeoutMs: a failover that does not progress is abandoned and retried after twice this.
 *   Redis's default (180 s) would turn one lost election into a 6-minute outage; 10 s retries quickly.
 */
export const SENTINEL_TIMING = { downAfterMs: 2_000, failoverTimeoutMs: 10_000 };

/**
 * Durability settings of every Redis node (each may become the primary).
 * - "async": Redis's defaults for replication: the primary acknowledges a write before any replica has it.
 * - "safe": the primary refuses writes (NOREPLICAS) unless a replica acknowledged within `maxLagS`,
 *   and fsyncs its append-only file on every write.
 * @typedef {"async" | "safe"} Durability
 */
export const DURABILITIES = /** @type {const} */ (["async", "safe"]);

/**
 * @typedef {object} NodeConfig
 * @property {number} port
 * @property {string} dir         data, log and pid file
 * @property {{ host: string, port: number }} [replicaOf] absent for the primary
 * @property {Durability} [durability]
 * @property {number} [maxLagS]    min-replicas-max-lag for "safe"
 * @property {boolean} [partitionable] its links to the primary from 127.0.0.2 (stack/partition.mjs)
 */

/**
 * What a node or Sentinel needs so that a partition can cut it off from the primary while daprd, on
 * 127.0.0.1, still reaches it: its outgoing links from 127.0.0.2; protected mode off, since it takes only
 * 127.0.0.1 and ::1 for loopback and would deny the links from 127.0.0.2 (every node still listens on
 * 127.0.0.1 only); and 127.0.0.1 announced, where it listens, not the address its links come from.
 * @param {"replica-announce-ip" | "sentinel announce-ip"} announce
 */
const partitionLines = (announce) => ["protected-mode no", "bind-source-addr 127.0.0.2", `${announce} 127.0.0.1`];

/**
 * A redis.conf for one node. Diskless sync without delay: a restarted node gets the data set straight
 * over the socket, at once, instead of after Redis's default 5 s wait for more replicas.
 * @param {NodeConfig} c
 * @returns {string}
 */
export function renderRedisConf({ port, dir, replicaOf, durability = "async", maxLagS = 1, partitionable = false }) {
  const lines = [
    "# written by tools/stack/failover for one run; removed afterwards",
    `port ${port}`,
    "bind 127.0.0.1",
    ...(partitionable ? partitionLines("replica-announce-ip") : ["protected-mode yes"]),
    "daemonize no",
    `dir ${quote(dir)}`,
    `logfile ${quote(`${dir}/redis.log`)}`,
    `pidfile ${quote(`${dir}/redis.pid`)}`,
    'save ""',
    "appendonly yes",
    `appendfsync ${durability === "safe" ? "always" : "everysec"}`,
    "repl-diskless-sync yes",
    "repl-diskless-sync-delay 0",
  ];
  if (durability === "safe") lines.push("min-replicas-to-write 1", `min-replicas-max-lag ${maxLagS}`);
  if (replicaOf) lines.push(`replicaof ${replicaOf.host} ${replicaOf.port}`);
  return `${lines.join("\n")}\n`;
}

/**
 * @typedef {object} SentinelConfig
 * @property {number} port
 * @property {string} dir
 * @property {{ host: string, port: number }} primary
 * @property {number} [quorum]
 * @property {number} [downAfterMs]
 * @property {number} [failoverTimeoutMs]
 * @property {boolean} [partitionable] its links from 127.0.0.2 (stack/partition.mjs)
 */

/**
 * A sentinel.conf. Sentinel rewrites this file as it learns the topology, so each Sentinel gets its own.
 * It logs to stdout: the demo reads +switch-master from there.
 * @param {SentinelConfig} c
 * @returns {string}
 */
export function renderSentinelConf({
  port,
  dir,
  primary,
  quorum = 2,
  downAfterMs = SENTINEL_TIMING.downAfterMs,
  failoverTimeoutMs = SENTINEL_TIMING.failoverTimeoutMs,
  partitionable = false,
}) {
  return `${[
    "# written by tools/stack/failover for one run; Sentinel rewrites it",
    `port ${port}`,
    "bind 127.0.0.1",
    ...(partitionable ? partitionLines("sentinel announce-ip") : []),
    "daemonize no",
    `dir ${quote(dir)}`,
    'logfile ""',
    `sentinel monitor ${MASTER_NAME} ${primary.host} ${primary.port} ${quorum}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} ${downAfterMs}`,
    `sentinel failover-timeout ${MASTER_NAME} ${failoverTimeoutMs}`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
  ].join("\n")}\n`;
}

/**
 * The state store metadata that makes daprd find the primary through Sentinel (names as in Dapr's
 * state.redis reference: failover, sentinelMasterName, redisHost = the Sentinels, comma-separated).
 * @param {number[]} sentinelPorts
 * @returns {Record<string, string>}
 */
export function storeMetadata(sentinelPorts) {
  return {
    redisHost: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(","),
    failover: "true",
    sentinelMasterName: MASTER_NAME,
  };
}

/** @param {string} s */
function quote(s) {
  return /[\s"]/.test(s) ? JSON.stringify(s) : s;
}

/**
 * Parses INFO's "key:value" lines (any section) into a map.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseInfo(text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/**
 * @typedef {object} ReplicaInfo
 * @property {string} ip
 * @property {number} port
 * @property {string} state   online, wait_bgsave, send_bulk…
 * @property {number} offset
 * @property {number} lag     seconds since its last ACK
 */

/**
 * What a primary's INFO replication says about its replicas (slaveN:ip=…,port=…,state=…,offset=…,lag=…).
 * @param {Record<string, string>} info from parseInfo
 * @returns {ReplicaInfo[]}
 */
export function replicasOf(info) {
  return Object.entries(info)
    .filter(([k]) => /^slave\d+$/.test(k))
    .map(([, v]) => {
      const f = Object.fromEntries(v.split(",").map((kv) => /** @type {[string, string]} */ (kv.split("="))));
      return {
        ip: f.ip ?? "",
        port: Number(f.port),
        state: f.state ?? "",
        offset: Number(f.offset),
        lag: Number(f.lag),
      };
    });
}

/**
 * SENTINEL get-master-addr-by-name answers [host, port], or null for an unknown name.
 * @param {unknown} reply
 * @returns {{ host: string, port: number } | undefined}
 */
export function parseMasterAddr(reply) {
  if (!Array.isArray(reply) || reply.length !== 2) return undefined;
  const port = Number(reply[1]);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return { host: String(reply[0]), port };
}

/**
 * @typedef {object} SentinelEvent
 * @property {string} event   e.g. +sdown, +odown, +switch-master, +slave
 * @property {string} detail  the rest of the line
 * @property {{ from: number, to: number } | undefined} switchTo for +switch-master: the old and new primary ports
 */

/**
 * One of Sentinel's log lines: "12345:X 27 Nov 2026 10:00:00.123 # +switch-master orders 127.0.0.1 7001 127.0.0.1 7002".
 * @param {string} line
 * @returns {SentinelEvent | undefined} undefined for lines that carry no event
 */
export function parseSentinelLine(line) {
  const m = /^\d+:X \d+ \w+ \d+ [\d:.]+ [#*.-] ([+-][\w-]+) ?(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const [, event = "", detail = ""] = m;
  let switchTo;
  if (event === "+switch-master") {
    const p = detail.split(/\s+/);
    if (p.length >= 5) switchTo = { from: Number(p[2]), to: Number(p[4]) };
  }
  return { event, detail, switchTo };
}

/**
 * SENTINEL replicas|sentinels|masters answer one record per instance: node-redis gives each as an object
 * ({ port: "7002", flags: "slave", … }); over plain RESP2 it is a flat [key, value, key, value…] array.
 * @param {unknown} reply
 * @returns {Record<string, string>[]}
 */
export function parseSentinelTable(reply) {
  if (!Array.isArray(reply)) return [];
  return reply
    .filter((row) => row && typeof row === "object")
    .map((row) => {
      /** @type {Record<string, string>} */
      const o = {};
      if (Array.isArray(row)) for (let i = 0; i + 1 < row.length; i += 2) o[String(row[i])] = String(row[i + 1]);
      else for (const [k, v] of Object.entries(row)) o[k] = String(v);
      return o;
    });
}

/**
 * Whether a Sentinel sees a replica as healthy: known, not (subjectively) down nor disconnected, its link to
 * the primary up. Sentinel keeps a restarted node marked down for a while; promoting it then makes the
 * Sentinels judge the new primary dead as well and fail over again.
 * @param {Record<string, string>[]} replicas parsed SENTINEL replicas
 * @param {number} port
 */
export function sentinelSeesHealthy(replicas, port) {
  const r = replicas.find((x) => Number(x.port) === port);
  if (!r) return false;
  const flags = (r.flags ?? "").split(",");
  return !flags.some((f) => ["s_down", "o_down", "disconnected"].includes(f)) && r["master-link-status"] === "ok";
}

/**
 * How many times a node has run `command` since it started, from INFO commandstats
 * (`cmdstat_wait:calls=12,usec=…,rejected_calls=0,failed_calls=0`); 0 when it never ran it (Redis then
 * prints no line). `rejected_calls`: refused before running, e.g. NOREPLICAS under min-replicas-to-write.
 * @param {string} text @param {string} command lower case, e.g. "wait"
 * @param {"calls" | "rejected_calls" | "failed_calls"} [field]
 */
export function commandCalls(text, command, field = "calls") {
  const line = new RegExp(`^cmdstat_${command}:(.*)$`, "m").exec(text)?.[1] ?? "";
  const m = new RegExp(`(?:^|,)${field}=(\\d+)`).exec(line);
  return m ? Number(m[1]) : 0;
}
