// @ts-check
// A process's status as Linux's /proc shows it: used by compare (memory per
// row) and the soak (memory through an hour, to show a leak).
import fs from "node:fs";

/**
 * One field of /proc/<pid>/status, e.g. "VmRSS"; undefined when the process is gone.
 * @param {number | undefined} pid @param {string} field
 */
export function procStatus(pid, field) {
  try {
    return new RegExp(`^${field}:\\s*(.+)$`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Resident memory in MB (3 decimals); NaN when the process is gone. @param {number | undefined} pid */
export const rssMB = (pid) => {
  const kb = parseInt(procStatus(pid, "VmRSS") ?? "", 10);
  return Number.isFinite(kb) ? Math.round((kb / 1024) * 1000) / 1000 : NaN;
};
