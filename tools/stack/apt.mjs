// @ts-check
// Debian packages the tools install on first use (redis-server, podman, runc,
// mmdebstrap): one way, as root, without letting a package start a service.
import fs from "node:fs";
import { $, which } from "zx";
import { ToolError } from "../cli/errors.mjs";
import { step } from "../cli/console.mjs";

/** True when apt-get can install here (root on Debian/Ubuntu). */
export async function canAptInstall() {
  return process.getuid?.() === 0 && Boolean(await which("apt-get", { nothrow: true }));
}

/**
 * Installs Debian packages (apt-get update once if the first try fails). A package's
 * service is not started (policy-rc.d), so redis-server does not take 6379 on its own.
 * @param {string[]} packages
 * @param {string} manual what to tell a user who cannot install them here, e.g. "sudo apt-get install podman runc"
 */
export async function aptInstall(packages, manual) {
  if (!(await canAptInstall())) {
    throw new ToolError(
      `${packages.join(", ")} ${packages.length > 1 ? "are" : "is"} not installed, and this user cannot install it (not root, or no apt-get).`,
      `Install ${packages.length > 1 ? "them" : "it"} yourself: ${manual}`,
    );
  }
  step(`installing ${packages.join(" ")} with apt-get`);
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !fs.existsSync(policy);
  if (ownPolicy)
    fs.writeFileSync(policy, "#!/bin/sh\n# written by dapr-resiliency setup for one apt-get run\nexit 101\n", {
      mode: 0o755,
    });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () => $({ env })`apt-get install -y -q --no-install-recommends ${packages}`.nothrow().quiet();
    let r = await install();
    if (r.exitCode !== 0) {
      await $({ env })`apt-get update -q`.nothrow().quiet();
      r = await install();
    }
    if (r.exitCode !== 0)
      throw new ToolError(
        `apt-get install ${packages.join(" ")} failed:\n${r.stderr.trim().split("\n").slice(-5).join("\n")}`,
        `Install ${packages.join(" ")} yourself (${manual}), then run this again.`,
      );
  } finally {
    if (ownPolicy) fs.rmSync(policy, { force: true });
  }
}
