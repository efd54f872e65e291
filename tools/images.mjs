#!/usr/bin/env zx
// @ts-check
// The apps' container images: build each from its Dockerfile (on a Node.js
// base image built here when no registry answers), check what it holds, run
// it beside daprd as deploy/kubernetes does until its first order, and print
// the command that runs it under the walkthrough.
import { defineCommand } from "./cli/command.mjs";
import { runTool } from "./cli/main.mjs";
import { heading, say, sendHumanOutputTo } from "./cli/console.mjs";
import { VARIANT_NAMES, VARIANTS } from "./stack/paths.mjs";
import { ensureDaprAndApps } from "./stack/prerequisites.mjs";
import { appImage, dockerRunCommand, imageContents, startUpToFirstOrder } from "./stack/app-images.mjs";
import { ensureEngine } from "./stack/container-engine.mjs";

export const command = defineCommand({
  usage: "npx zx tools/images.mjs",
  about:
    "Builds apps/<x>-app/Dockerfile for each variant with the Docker engine the tools use (podman where there is none), checks that the image holds no dev dependency, source map or test file, and runs it beside daprd as uid 1000 with a read-only root filesystem until its first order.",
  flags: {
    variant: { type: "string", choices: [...VARIANT_NAMES, "all"], default: "all", help: "which app's image" },
    json: { type: "boolean", help: "the results as JSON on stdout (the progress goes to stderr)" },
  },
  notes: "Images are tagged with a hash of what they are built from: an unchanged app is not built again.",
});

await runTool(import.meta.url, command, async ({ values }) => {
  if (values.json) sendHumanOutputTo(process.stderr);
  const engine = await ensureEngine();
  await ensureDaprAndApps();
  const variants = values.variant === "all" ? VARIANT_NAMES : VARIANT_NAMES.filter((v) => v === values.variant);
  const results = [];
  let ok = true;
  for (const variant of variants) {
    heading(`${VARIANTS[variant].project}`);
    const image = await appImage(variant);
    say(
      "images",
      `${image.tag}: ${(image.bytes / 1e6).toFixed(0)} MB${image.cached ? " (already built)" : `, built in ${image.buildSeconds.toFixed(0)} s`} on ${image.base}`,
    );
    const contents = await imageContents(image.tag);
    const clean = !contents.devDependencies.length && !contents.sourceMaps.length && !contents.testFiles.length;
    ok &&= clean;
    say(
      "images",
      clean
        ? `holds ${contents.packages} packages, no dev dependency, no source map, no test file`
        : `holds dev dependencies [${contents.devDependencies.join(", ")}], source maps [${contents.sourceMaps.join(", ")}], test files [${contents.testFiles.join(", ")}]`,
    );
    const startUp = await startUpToFirstOrder(image.tag);
    say("images", `first order saved ${startUp.seconds.toFixed(2)} s after docker run (uid 1000, read-only root)`);
    say(
      "images",
      `under the walkthrough: npx zx tools/demo.mjs walkthrough -- ${dockerRunCommand(image.tag, `order-processor-${variant}`).join(" ")}`,
    );
    results.push({ variant, ...image, contents, startUpSeconds: startUp.seconds });
  }
  if (engine.ours) say("images", `the engine: export DOCKER_HOST=${engine.host} (${engine.server})`);
  if (values.json) process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
  return ok ? 0 : 1;
});
