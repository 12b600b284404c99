#!/usr/bin/env node
// Bundles the server (apps/server/dist) when the bundle is missing or older than any file it was built from
// (dist/meta.json lists them), the migrations or the build script; `--force` rebuilds anyway.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { holdBuildLock } from "../../../scripts/build-lock.mjs";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(dir, "dist");

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  // A source that is gone (moved or deleted) makes the bundle stale.
  if (!st) return Number.POSITIVE_INFINITY;
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}

function stale() {
  const builtAt = Math.min(
    ...["main.mjs", "cli.mjs", "meta.json"].map(
      (f) => fs.statSync(path.join(dist, f), { throwIfNoEntry: false })?.mtimeMs ?? 0,
    ),
  );
  if (builtAt === 0) return "missing";
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(path.join(dist, "meta.json"), "utf8")).inputs;
  } catch {
    return "missing";
  }
  const sources = [
    ...inputs.map((f) => path.resolve(dir, f)),
    path.join(dir, "src", "db", "migrations"),
    path.join(dir, "scripts", "build.mjs"),
    path.join(dir, "package.json"),
  ];
  return sources.some((f) => newest(f) > builtAt) ? "changed" : null;
}

holdBuildLock(dir);

const why = process.argv.includes("--force") ? "forced" : stale();
if (why) {
  if (why !== "forced")
    console.log(why === "missing" ? "Building the server…" : "Rebuilding the server (sources changed)…");
  const r = spawnSync(process.execPath, [path.join(dir, "scripts", "build.mjs")], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
