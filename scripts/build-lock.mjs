// One build at a time per package: parallel test processes (or a start during a test run) wait for a build
// in progress instead of writing its dist/ under each other. A lock older than five minutes is left over
// from a killed build. The lock is released when the process exits.
import fs from "node:fs";
import path from "node:path";

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Takes `<dir>/.build-lock`, waiting for another holder; released at exit. */
export function holdBuildLock(dir) {
  const lock = path.join(dir, ".build-lock");
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
      else sleep(200);
    }
  }
  process.on("exit", () => fs.rmSync(lock, { recursive: true, force: true }));
}
