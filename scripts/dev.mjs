#!/usr/bin/env node
// `npm run dev`: the development loop. The server runs from source under `tsx watch` (restarted when a file
// changes) on PORT (3000), and Vite serves the web app with hot reload at http://localhost:5173, proxying
// /api and the sockets to the server. The widget is built first (the server serves apps/widget/dist). Ctrl+C
// stops both; when one of them ends, the other is stopped too.
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const widget = spawnSync(process.execPath, [path.join(root, "apps/widget/scripts/ensure-build.mjs")], {
  stdio: "inherit",
});
if (widget.status !== 0) process.exit(widget.status ?? 1);

const tsx = fileURLToPath(import.meta.resolve("tsx/cli"));
// Vite's own command (not `npm run`, whose shell would not pass a stop signal on), from the web app's package.
const web = path.join(root, "apps", "web");
const require = createRequire(path.join(web, "package.json"));
const vitePackage = require.resolve("vite/package.json");
const vite = path.join(path.dirname(vitePackage), require(vitePackage).bin.vite);
const children = [
  // From the repository root, so a relative DATA_DIR means the same as with `npm start`.
  spawn(process.execPath, [tsx, "watch", "--clear-screen=false", "apps/server/src/main.ts"], {
    cwd: root,
    stdio: "inherit",
  }),
  spawn(process.execPath, [vite], { cwd: web, stdio: "inherit" }),
];
let stopping = false;
const stop = (code) => {
  if (!stopping) {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  }
  process.exitCode ??= code;
};
for (const child of children) child.once("exit", (code) => stop(code ?? 1));
process.on("SIGINT", () => stop(130));
process.on("SIGTERM", () => stop(143));
