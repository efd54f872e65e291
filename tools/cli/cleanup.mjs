// @ts-check
// Every process a tool starts registers how to stop it here, and whatever it
// stops or changes that it does not own (the project's Redis, a user's
// container) registers how to put it back. Both lists run on every way out:
// normal exit, an error, Ctrl-C (SIGINT), SIGTERM, SIGHUP (terminal closed),
// and a closed output pipe (EPIPE on stdout or stderr).
/** @typedef {() => unknown} Cleanup a step that stops or removes something; may return a promise */

/** @type {Cleanup[]} */
const cleanups = [];
/** @type {Cleanup[]} */
const restores = [];
/** @type {Promise<void> | undefined} */
let running;
let ending = false;

/** Thrown by a start that begins once the tool is stopping: nothing new is started then. */
export class ToolStopping extends Error {}

/**
 * A start that runs while the tool is stopping (it was waiting on something when the signal came)
 * would start what no clean-up will stop: refuse it.
 * @param {string} what the thing about to start
 */
export function refuseIfEnding(what) {
  if (ending) throw new ToolStopping(`not starting ${what}: this tool is stopping`);
}

/**
 * Registers how to stop something before starting it, so a signal that lands mid-start does not
 * miss it: the clean-up waits for the start to settle, then stops what it started. Throws
 * ToolStopping instead of starting once the tool is stopping.
 * @template T
 * @param {string} what for the message
 * @param {() => Promise<T>} start
 * @param {(started: T | undefined) => unknown} stop also runs after a failed start (with undefined)
 * @returns {Promise<T>}
 */
export async function startOwned(what, start, stop) {
  refuseIfEnding(what);
  /** @type {Promise<T>} */
  const started = Promise.resolve().then(start);
  onCleanup(async () => stop(await started.catch(() => undefined)));
  return started;
}

/**
 * @param {Cleanup[]} list
 * @param {Cleanup} fn
 * @returns {() => void} removes `fn` again
 */
function register(list, fn) {
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * @param {Cleanup} fn
 * @returns {() => void} removes `fn` again (when its process ended by itself)
 */
export const onCleanup = (fn) => register(cleanups, fn); // while cleaning up: run with the rest

/**
 * Changes something this tool does not own (stops the project's Redis, say) and promises to put it
 * back on every way out. `restore` is registered before `change` starts, so a signal that lands
 * mid-change still puts it back; restores run after every cleanup, once the processes this tool
 * started are gone. Returns the way to put it back now (once; later calls wait for the same).
 * @param {() => unknown} change
 * @param {() => unknown} restore
 * @returns {Promise<() => Promise<void>>}
 */
export async function changeUntilRestored(change, restore) {
  /** @type {Promise<void> | undefined} */
  let restoring;
  const putBack = () =>
    (restoring ??= Promise.resolve()
      .then(restore)
      .then(() => undefined));
  const remove = register(restores, putBack);
  await change();
  return async () => {
    remove();
    await putBack();
  };
}

/** @returns {Promise<void>} */
export function runCleanups() {
  running ??= (async () => {
    // A cleanup may register more (a restore of its own): loop until both lists are empty.
    while (cleanups.length || restores.length) {
      const fn = /** @type {Cleanup} */ (cleanups.length ? cleanups.pop() : restores.pop());
      try {
        await fn();
      } catch (err) {
        tell(`cleanup: ${err instanceof Error ? err.message : err}\n`);
      }
    }
    running = undefined;
  })();
  return running;
}

/** @type {Set<NodeJS.WriteStream>} */
const broken = new Set();
/** Writes to stderr, or stdout if stderr is the one that broke; nowhere if both did. @param {string} text */
function tell(text) {
  const out = [process.stderr, process.stdout].find((s) => !broken.has(s) && !s.destroyed);
  out?.write(text);
}

/**
 * Runs the clean-up once and exits with `code`; a second call (a second Ctrl-C) exits at once.
 * @param {string} why
 * @param {number} code
 */
async function endTool(why, code) {
  if (ending) process.exit(code);
  ending = true; // before the first await: a start in flight sees it
  tell(`\n${why}: stopping what this tool started…\n`);
  await runCleanups();
  process.exit(code);
}

// Inside Vitest workers the tests clean up after themselves (afterAll), and the
// runner owns the signals and the output streams.
if (!process.env.VITEST) {
  /** @type {[NodeJS.Signals, number][]} */
  const SIGNALS = [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ];
  for (const [sig, code] of SIGNALS) process.on(sig, () => void endTool(sig, code));
  // A reader that went away (`… | head -3`, a closed terminal): without a listener the next
  // write throws an uncaught EPIPE and the tool dies with its processes still running.
  // 141 = 128 + SIGPIPE, what a shell reports for a command ended by a closed pipe.
  for (const [name, stream] of /** @type {const} */ ([
    ["stdout", process.stdout],
    ["stderr", process.stderr],
  ])) {
    stream.on("error", (/** @type {NodeJS.ErrnoException} */ err) => {
      broken.add(stream);
      if (ending) return;
      void endTool(`${name} closed (${err.code ?? err.message})`, 141);
    });
  }
}
