// Every process a tool starts registers how to stop it here; the list runs
// on normal exit, on error and on Ctrl-C (SIGINT) or SIGTERM.
const cleanups = [];
let running;

export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function runCleanups() {
  running ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup: ${err?.message ?? err}\n`);
      }
    }
    running = undefined;
  })();
  return running;
}

let signalled = false;
// Inside Vitest workers the tests clean up after themselves (afterAll), and the
// runner owns the signals.
for (const [sig, code] of process.env.VITEST
  ? []
  : [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ]) {
  process.on(sig, async () => {
    if (signalled) process.exit(code); // a second Ctrl-C does not wait
    signalled = true;
    process.stderr.write(`\n${sig}: stopping what this tool started…\n`);
    await runCleanups();
    process.exit(code);
  });
}
