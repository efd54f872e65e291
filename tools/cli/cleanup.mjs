// @ts-check
// Every process a tool starts registers how to stop it here; the list runs
// on normal exit, on error and on Ctrl-C (SIGINT) or SIGTERM.
/** @typedef {() => unknown} Cleanup a step that stops or removes something; may return a promise */

/** @type {Cleanup[]} */
const cleanups = [];
/** @type {Promise<void> | undefined} */
let running;

/**
 * @param {Cleanup} fn
 * @returns {() => void} removes `fn` again (when its process ended by itself)
 */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** @returns {Promise<void>} */
export function runCleanups() {
  running ??= (async () => {
    while (cleanups.length) {
      const fn = /** @type {Cleanup} */ (cleanups.pop());
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup: ${err instanceof Error ? err.message : err}\n`);
      }
    }
    running = undefined;
  })();
  return running;
}

let signalled = false;
// Inside Vitest workers the tests clean up after themselves (afterAll), and the
// runner owns the signals.
/** @type {[NodeJS.Signals, number][]} */
const SIGNALS = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
];
for (const [sig, code] of process.env.VITEST ? [] : SIGNALS) {
  process.on(sig, async () => {
    if (signalled) process.exit(code); // a second Ctrl-C does not wait
    signalled = true;
    process.stderr.write(`\n${sig}: stopping what this tool started…\n`);
    await runCleanups();
    process.exit(code);
  });
}
