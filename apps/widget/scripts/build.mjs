#!/usr/bin/env node
// Builds the website chat widget into apps/widget/dist (loader.js, frame.js, frame.css) with esbuild and
// prints the gzipped sizes: the script a site embeds must stay small.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { build } from "esbuild";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(dir, "dist");
const LIMIT = 30 * 1024;
fs.mkdirSync(dist, { recursive: true });
await build({
  entryPoints: { loader: path.join(dir, "src/loader.ts"), frame: path.join(dir, "src/frame.ts") },
  outdir: dist,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "none",
  logLevel: "warning",
});
fs.copyFileSync(path.join(dir, "src/frame.css"), path.join(dist, "frame.css"));
let initial = 0;
for (const f of ["loader.js", "frame.js", "frame.css"]) {
  const bytes = fs.readFileSync(path.join(dist, f));
  const gz = zlib.gzipSync(bytes, { level: 9 }).length;
  initial += gz;
  console.log(`widget ${f}: ${bytes.length} bytes, ${gz} bytes gzipped`);
}
console.log(`widget total (loader + frame + css): ${initial} bytes gzipped (limit ${LIMIT})`);
if (initial > LIMIT) {
  console.error("The widget is larger than 30 KB gzipped.");
  process.exit(1);
}
