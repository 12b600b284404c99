#!/usr/bin/env node
// `npm run build`: the agent web app (apps/web/dist, Vite), the website chat widget (apps/widget/dist,
// esbuild) and the server (apps/server/dist/main.mjs and cli.mjs, esbuild), each rebuilt.
// `--if-stale` (what `npm start` runs first) builds only what is missing or older than its sources, so a
// start after a build is a few file checks and needs none of the build tools.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const force = process.argv.includes("--if-stale") ? [] : ["--force"];

const steps = [
  // The web app's step also builds the widget, under the same lock (the browser tests call it alone).
  "apps/web/scripts/ensure-build.mjs",
  "apps/server/scripts/ensure-build.mjs",
];
for (const step of steps) {
  const r = spawnSync(process.execPath, [path.join(root, step), ...force], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
