import { execFileSync } from "node:child_process";
import fs from "node:fs";
import pg from "pg";

/**
 * CPU time, not wall time: on a shared machine rates swing with whatever else runs, while the CPU a piece of
 * work costs stays put. Counters come from /proc (Linux): a process's user + system time, and for PostgreSQL
 * the whole server — the postmaster's own and its reaped children's time plus every live child (backends,
 * WAL writer, checkpointer, autovacuum), so short-lived backends are counted too.
 */

let ticksPerSecond: number | null = null;
function clockTicks() {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): index 0 is field 3, "state". */
function statFields(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** A process's CPU time in ms (user + system; with `children`, also its reaped children's). */
export function processCpuMs(pid: number, children = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  // utime, stime, cutime, cstime are fields 14–17, i.e. indexes 11–14 here.
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return (ticks * 1000) / clockTicks();
}

function parentOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

/** The PostgreSQL server's CPU time in ms: the postmaster, its reaped children, and its live children. */
export function postgresCpuMs(postmaster: number): number {
  let total = processCpuMs(postmaster, true);
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmaster) continue;
    if (parentOf(pid) === postmaster) total += processCpuMs(pid);
  }
  return total;
}

/**
 * The postmaster's process id of the PostgreSQL at `url`, when it runs on this machine (a backend's parent);
 * null when /proc does not show it (another machine or container).
 */
export async function findPostmaster(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const [row] = (await client.query<{ pid: number }>("select pg_backend_pid() as pid")).rows;
    const parent = parentOf(row!.pid);
    return parent && fs.existsSync(`/proc/${parent}/stat`) ? parent : null;
  } finally {
    await client.end();
  }
}

/** The machine's CPU time since boot in /proc/stat's ticks, in all and idle (idle + waiting for I/O). */
export interface MachineSample {
  all: number;
  idle: number;
}

export function machineSample(): MachineSample | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    // cpu  user nice system idle iowait irq softirq steal (guest time is already in user)
    const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { all: t.reduce((a, b) => a + b, 0), idle: t[3]! + t[4]! };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU time that went unused since `from` (0–1): near 0, the step took all the
 * machine had and its rate says what the CPUs allow; well above it, something else held the rate back
 * (waiting between the processes, the load's own concurrency). /proc/stat counts the whole machine: in a
 * container held to a CPU quota it says nothing about the quota.
 */
export function idleSince(from: MachineSample | null): number | undefined {
  const now = machineSample();
  if (!from || !now || now.all <= from.all) return undefined;
  return (now.idle - from.idle) / (now.all - from.all);
}

/** This process's CPU time in ms. */
export const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export interface CpuSample {
  app: number;
  db: number;
}

/**
 * A meter over two parts: the application (a process id, or this process when null) and the database (a
 * postmaster's id, or nothing when the database runs inside the application, like the embedded one).
 */
export function cpuMeter(appPid: number | null, postmaster: number | null) {
  const sample = (): CpuSample => ({
    app: appPid === null ? selfCpuMs() : processCpuMs(appPid),
    db: postmaster === null ? 0 : postgresCpuMs(postmaster),
  });
  return {
    sample,
    /** CPU ms spent since `from`, per part. */
    since(from: CpuSample): CpuSample {
      const now = sample();
      return { app: now.app - from.app, db: now.db - from.db };
    },
  };
}

/** "0.123 ms (app 0.100 + db 0.023)" per unit of work. */
export function perUnit(cpu: CpuSample, units: number) {
  const f = (ms: number) => (units ? (ms / units).toFixed(3) : "-");
  return `${f(cpu.app + cpu.db)} ms (app ${f(cpu.app)} + db ${f(cpu.db)})`;
}

export const totalMs = (cpu: CpuSample) => cpu.app + cpu.db;
