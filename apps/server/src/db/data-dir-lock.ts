import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";

export class DataDirLockedError extends Error {}

const STALE_MS = 10_000;

/**
 * Takes an exclusive lock on the embedded database's directory: the embedded database does not lock it
 * itself, and two processes writing one directory silently lose writes. A lock left by a process that died
 * (SIGKILL) on this machine is taken over at once; one from another machine once it is stale.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const owner = path.join(dataDir, "parley.pid");
  const lockPath = path.join(dataDir, "parley.lock");
  const tryLock = () =>
    lockfile.lock(dataDir, {
      stale: STALE_MS,
      update: 2_000,
      realpath: false,
      lockfilePath: lockPath,
      onCompromised: (err) => {
        // Someone removed our lock: stop rather than risk two writers.
        console.error(`Lost the lock on ${dataDir}: ${err.message}. Stopping.`);
        process.exit(1);
      },
    });
  let release: () => Promise<void>;
  try {
    release = await tryLock();
  } catch (err) {
    if ((err as { code?: string }).code !== "ELOCKED") throw err;
    const holder = readOwner(owner);
    // Our own pid in the file means a previous holder's pid was reused (e.g. after a container restart).
    if (holder && holder.host === os.hostname() && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new DataDirLockedError(
        `The data directory ${dataDir} is in use by another Parley process (pid ${holder.pid}). ` +
          "Stop it first, or give this one its own DATA_DIR. (For several processes, use PostgreSQL: DATABASE_URL.)",
      );
    }
    if (holder && holder.host === os.hostname()) {
      // The holder on this machine is gone (killed): remove its lock and take it at once. If another
      // process starting right now wins the race for the fresh lock, we get ELOCKED and say so.
      fs.rmSync(lockPath, { recursive: true, force: true });
      try {
        release = await tryLock();
      } catch (again) {
        if ((again as { code?: string }).code === "ELOCKED") {
          throw new DataDirLockedError(
            `The data directory ${dataDir} has just been taken by another Parley process.`,
          );
        }
        throw again;
      }
    } else {
      // A holder we cannot check (another host, or no pid file): wait until its lock goes stale.
      release = await lockfile.lock(dataDir, {
        stale: STALE_MS,
        realpath: false,
        lockfilePath: lockPath,
        retries: { retries: 30, minTimeout: 500, maxTimeout: 500 },
      });
    }
  }
  fs.writeFileSync(owner, JSON.stringify({ pid: process.pid, host: os.hostname() }));
  return async () => {
    fs.rmSync(owner, { force: true });
    await release();
  };
}

function readOwner(file: string): { pid: number; host: string } | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
