// @ts-check
// The partitions' part of reports/soak.md: each partition with when the
// Sentinels promoted the replica, what the cut-off primary took from daprd
// meanwhile, and the acknowledged orders lost in it, by app, with their ids.

/** @param {number[]} ids e.g. "42–50" or "3, 7" */
export function idRanges(ids) {
  const out = [];
  const sorted = [...ids].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const from = /** @type {number} */ (sorted[i]);
    while (sorted[i + 1] === /** @type {number} */ (sorted[i]) + 1) i++;
    out.push(from === sorted[i] ? String(from) : `${from}–${sorted[i]}`);
  }
  return out.join(", ");
}

/**
 * @param {import("./run.mjs").SoakResult} r
 * @returns {string[]} lines; none without partitions
 */
export function partitionLines(r) {
  const ps = r.verdict.partitions;
  if (!ps || !r.partition) return [];
  const appIds = r.apps.map((a) => a.appId);
  const lost = ps.map((p) => appIds.reduce((n, id) => n + (p.lost[id]?.length ?? 0), 0));
  const total = lost.reduce((a, b) => a + b, 0);
  const w = r.partition.lossWindowS;
  const consistency = r.appEnv?.STATE_CONSISTENCY ?? "none sent (Dapr's default)";
  return [
    "## Partitions",
    "",
    `Durability ${r.durability}, the apps' consistency ${consistency}. The primary cut off from the Sentinels and the replica (iptables rules on lo dropping 127.0.0.2 ↔ its port) while daprd, on 127.0.0.1, still reaches it; healed once the Sentinels promoted the replica, then the old primary rejoins as its replica and drops what it took alone. ${w === undefined ? "docs/failover.md promises nothing for a partition with this durability: each order lost is the finding." : `docs/failover.md promises that only orders acknowledged within ${w} s of the cut can be lost: a later loss is a problem above.`}`,
    "",
    "| partition | cut at (s) | promoted after (s) | old primary took / refused | lost | lost orders |",
    "| --- | --- | --- | --- | --- | --- |",
    ...ps.map((p, i) => {
      const f = p.facts;
      const ids = appIds.filter((id) => p.lost[id]?.length).map((id) => `${id} ${idRanges(p.lost[id] ?? [])}`);
      return `| ${p.name} | ${p.startS.toFixed(1)} | ${f ? f.promotedAfterS.toFixed(1) : "—"} | ${f ? `${f.oldPrimaryTook} / ${f.oldPrimaryRefused}` : "—"} | ${lost[i]} | ${ids.join("; ") || "none"} |`;
    }),
    "",
    `Acknowledged orders lost: ${total} in ${ps.length} partition(s), ${ps.length ? (total / ps.length).toFixed(1) : "—"} per partition; the latest ${Math.max(0, ...(r.verdict.losses ?? []).map((l) => l.afterCutS)).toFixed(1)} s after its cut.`,
    "",
  ];
}
