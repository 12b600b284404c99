#!/usr/bin/env node
// Builds the widget (apps/widget/dist) when missing or older than its sources; `--force` rebuilds anyway.
// Called by the web app's ensure step, so `npm start` and the browser tests always serve the current widget.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sources = [
  path.join(dir, "src"),
  path.join(dir, "scripts", "build.mjs"),
  path.join(dir, "package.json"),
];
const outputs = ["loader.js", "frame.js", "frame.css"].map((f) => path.join(dir, "dist", f));

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}
const builtAt = Math.min(...outputs.map((f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
if (process.argv.includes("--force") || builtAt === 0 || Math.max(...sources.map(newest)) > builtAt) {
  console.log(builtAt === 0 ? "Building the chat widget…" : "Rebuilding the chat widget (sources changed)…");
  const r = spawnSync(process.execPath, [path.join(dir, "scripts", "build.mjs")], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
