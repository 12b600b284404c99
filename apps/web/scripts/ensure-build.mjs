#!/usr/bin/env node
// Builds the agent web app (apps/web/dist) when it is missing or older than its sources, so that
// `npm start` always serves the current app. `--force` rebuilds anyway.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { holdBuildLock } from "../../../scripts/build-lock.mjs";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(web, "../..");
const built = path.join(web, "dist", "index.html");
const sources = [
  path.join(web, "src"),
  path.join(web, "index.html"),
  path.join(web, "public"),
  path.join(web, "vite.config.ts"),
  path.join(web, "package.json"),
  path.join(root, "packages", "protocol", "src"),
];

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((name) => newest(path.join(p, name))));
}

holdBuildLock(web);

const builtAt = fs.statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const force = process.argv.includes("--force");
if (force || builtAt === 0 || Math.max(...sources.map(newest)) > builtAt) {
  console.log(
    builtAt === 0 ? "Building the web app (first start)…" : "Rebuilding the web app (sources changed)…",
  );
  const r = spawnSync("npm", ["run", "build", "-w", "@parley/web", "--silent"], {
    cwd: root,
    // Always the production build: Vite takes NODE_ENV from the environment, and under the test runner
    // (NODE_ENV=test) it would bundle React's development build into the dist/ that `npm start` serves.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The website chat widget the server also serves (apps/widget/dist), under the same lock (and forced with it).
const widget = spawnSync(
  process.execPath,
  [path.join(root, "apps", "widget", "scripts", "ensure-build.mjs"), ...(force ? ["--force"] : [])],
  { stdio: "inherit" },
);
if (widget.status !== 0) process.exit(widget.status ?? 1);
