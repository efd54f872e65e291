// @ts-check
// Resident memory of every app and daprd through the soak, and what it says:
// the first and last reading and the slope (least squares, MB per hour) of the
// process running at the end, over the run and over its second half, so a
// leak shows as a steady climb and a start-up ramp does not pass for one.
import { rssMB } from "../../stack/procfs.mjs";

/** @typedef {{ at: number, pid: number, mb: number }} Sample */
/** @typedef {{ name: string, samples: Sample[] }} Series e.g. "soak-http app", "soak-http daprd" */
/**
 * @typedef {object} MemorySummary
 * @property {string} name
 * @property {number} startMB
 * @property {number} endMB
 * @property {number} peakMB
 * @property {number | null} slopeMBperH        over the last process's whole life (null: too few readings)
 * @property {number | null} lateSlopeMBperH    over the second half of the run
 * @property {number} processes                  how many pids the series saw (a restarted daprd is a new one)
 * @property {number} samples
 */

/** Reads each process's RSS into its series. */
export class MemorySampler {
  constructor() {
    /** @type {Map<string, Series>} */
    this.series = new Map();
  }
  /**
   * @param {number} at seconds since the soak's start
   * @param {{ name: string, pid: number | undefined }[]} procs
   */
  sample(at, procs) {
    for (const { name, pid } of procs) {
      const mb = rssMB(pid);
      if (!pid || !Number.isFinite(mb)) continue; // gone (a daprd killed by the soak)
      const s = this.series.get(name) ?? { name, samples: [] };
      s.samples.push({ at, pid, mb });
      this.series.set(name, s);
    }
  }
  /** @returns {MemorySummary[]} */
  summary() {
    return [...this.series.values()].map(summarize);
  }
}

/**
 * Least-squares slope of y over x, per hour (x in seconds); null under 3 points or no spread.
 * @param {{ at: number, mb: number }[]} pts
 */
export function slopePerHour(pts) {
  if (pts.length < 3) return null;
  const mx = pts.reduce((a, p) => a + p.at, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.mb, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const p of pts) {
    num += (p.at - mx) * (p.mb - my);
    den += (p.at - mx) ** 2;
  }
  return den > 0 ? Math.round((num / den) * 3600 * 10) / 10 : null;
}

/** @param {Series} s @returns {MemorySummary} */
export function summarize(s) {
  const first = s.samples[0];
  const last = s.samples.at(-1);
  const lastPid = last?.pid;
  const life = s.samples.filter((x) => x.pid === lastPid);
  const mid = first && last ? (first.at + last.at) / 2 : 0;
  return {
    name: s.name,
    startMB: first?.mb ?? NaN,
    endMB: last?.mb ?? NaN,
    peakMB: Math.max(...s.samples.map((x) => x.mb)),
    slopeMBperH: slopePerHour(life),
    lateSlopeMBperH: slopePerHour(life.filter((x) => x.at >= mid)),
    processes: new Set(s.samples.map((x) => x.pid)).size,
    samples: s.samples.length,
  };
}
