/**
 * npx tsx bench/profile-summary.ts <file.cpuprofile> [--from <s>] [--to <s>] [--top <n>] [--inclusive <regex>]
 *
 * Where a process's CPU went, from a V8 profile written by `node --cpu-prof` (the benchmarks' servers take it
 * through BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=<dir>"): self time by package (a dependency in
 * node_modules, a folder of apps/server/src, Node's own internals, garbage collection) and by function, and
 * the inclusive time of the functions whose name or file matches `--inclusive`. `--from`/`--to` keep the
 * samples taken that many seconds after the profile started (leave out start-up and warm-up). Idle time is
 * left out of the shares: they are shares of the busy time. `--runs <n>` lists the n longest busy stretches
 * (samples with no idle one between them and the same entry frame under the root: a turn of the event loop's
 * work, or a garbage collection) with the functions that took most of each: what holds the event loop.
 */
import fs from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (!file) {
  console.error(
    "usage: tsx bench/profile-summary.ts <file.cpuprofile> [--from s] [--to s] [--top n] [--inclusive regex]",
  );
  process.exit(2);
}
const from = Number(option("from") ?? 0) * 1e6;
const to = option("to") === undefined ? Number.POSITIVE_INFINITY : Number(option("to")) * 1e6;
const top = Number(option("top") ?? 40);
const inclusive = option("inclusive") ? new RegExp(option("inclusive")!) : null;
const runsWanted = Number(option("runs") ?? 0);

const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** The package a frame belongs to: a dependency, a folder of this repository, or Node/V8 itself. */
function packageOf(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith("(") ? f.functionName : "(native)";
  const nm = f.url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = f.url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (f.url.startsWith("node:")) return `node:${f.url.slice(5).split("/")[0]}`;
  const src = f.url.indexOf("/src/");
  if (src >= 0) {
    const parts = f.url.slice(src + 5).split("/");
    const app = f.url.slice(0, src).split("/").pop();
    return `${app}/src/${parts.length > 1 ? parts.slice(0, parts[0] === "modules" ? 2 : 1).join("/") : parts[0]}`;
  }
  return f.url.split("/").slice(-2).join("/");
}

/** The frame under the root that a sample's stack enters by (which task of the event loop, or GC). */
function entryOf(id: number): number {
  let n = id;
  for (let p = parent.get(n); p !== undefined && parent.get(p) !== undefined; p = parent.get(p)) n = p;
  return n;
}
interface Run {
  at: number;
  entry: number;
  us: number;
  samples: number[];
}
const runs: Run[] = [];
let run: Run | null = null;

const selfByNode = new Map<number, number>();
let t = profile.startTime;
let busy = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  const since = t - profile.startTime;
  if (since < from || since > to) return;
  // A sample's time is the gap to the next sample.
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const node = byId.get(id)!;
  if (node.callFrame.functionName === "(idle)") {
    idle += dt;
    run = null;
    return;
  }
  busy += dt;
  const entry = entryOf(id);
  if (run?.entry !== entry) {
    run = { at: since, entry, us: 0, samples: [] };
    runs.push(run);
  }
  run.us += dt;
  run.samples.push(id);
  selfByNode.set(id, (selfByNode.get(id) ?? 0) + dt);
});

const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const share = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
const print = (title: string, entries: [string, number][]) => {
  console.log(`\n${title}`);
  for (const [name, us] of entries.sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${ms(us)} ms ${share(us)}  ${name}`);
};

console.log(
  `${file}: busy ${ms(busy).trim()} ms, idle ${ms(idle).trim()} ms in the window (${(from / 1e6).toFixed(0)} s – ${Number.isFinite(to) ? `${(to / 1e6).toFixed(0)} s` : "end"})`,
);
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of selfByNode) {
  const f = byId.get(id)!.callFrame;
  const pkg = packageOf(f);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const name = `${f.functionName || "(anonymous)"} ${pkg}${f.url ? `:${f.lineNumber + 1}` : ""}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
print("Self time by package", [...byPackage]);
print("Self time by function", [...byFunction]);

if (inclusive) {
  // Each sample counts once for every distinct matching frame on its stack.
  const incl = new Map<string, number>();
  for (const [id, us] of selfByNode) {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      const name = `${f.functionName || "(anonymous)"} ${packageOf(f)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
      if (!inclusive.test(name) || seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + us);
    }
  }
  print(`Inclusive time of frames matching ${inclusive}`, [...incl]);
}

if (runsWanted > 0) {
  console.log(
    `\nThe ${runsWanted} longest busy stretches (samples, ms, the functions with most samples in them)`,
  );
  for (const r of runs.sort((a, b) => b.samples.length - a.samples.length).slice(0, runsWanted)) {
    const counts = new Map<string, number>();
    for (const id of r.samples) {
      const f = byId.get(id)!.callFrame;
      const name = `${f.functionName || "(anonymous)"} ${packageOf(f)}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const top3 = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4);
    const entry = byId.get(r.entry)!.callFrame.functionName || "(anonymous)";
    console.log(
      `  ${(r.at / 1e6).toFixed(2).padStart(8)} s ${String(r.samples.length).padStart(4)} ${ms(r.us)} ms  ${entry}: ${top3.map(([n, c]) => `${n} ${c}`).join(", ")}`,
    );
  }
}
