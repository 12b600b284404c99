#!/usr/bin/env node
// Bundles the server with esbuild: src/main.ts → dist/main.mjs (the server), src/cli.ts → dist/cli.mjs (the
// command line), each with a source map, run later with plain `node`. Our own code and @parley/protocol are
// bundled; every npm package stays external and is loaded from node_modules at run time: PGlite finds its
// WebAssembly and extension files next to its own modules, @node-rs/argon2 its native binary, pino its
// worker files, Swagger UI its static files. The SQL migrations are copied to dist/migrations, where the
// bundled migration runner looks (next to itself, as src/db/migrate.ts does in source). dist/meta.json lists
// the bundled source files, so `ensure-build.mjs` can tell when the bundle is older than its sources.
import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(dir, "dist");
const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);

/** Bare imports other than @parley/* stay imports of the installed package. */
const imported = new Set();
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || builtins.has(args.path)) return { external: true };
      if (args.path.startsWith("@parley/")) return undefined;
      const parts = args.path.split("/");
      imported.add(args.path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
      return { external: true };
    });
  },
};

// Built aside, then put in place whole: a half-written dist/ is never seen.
const out = fs.mkdtempSync(path.join(dir, ".dist-"));
try {
  const started = performance.now();
  const result = await build({
    absWorkingDir: dir,
    entryPoints: { main: "src/main.ts", cli: "src/cli.ts" },
    outdir: out,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    // Stack traces need only the mappings; the sources are in the repository.
    sourcesContent: false,
    keepNames: true,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
    plugins: [externalPackages],
  });
  // A package the server imports but does not declare would be missing from a production install.
  const undeclared = [...imported].filter((name) => !dependencies.has(name)).sort();
  if (undeclared.length > 0) {
    console.error(
      `The server imports packages that apps/server/package.json does not list in "dependencies": ${undeclared.join(", ")}`,
    );
    process.exit(1);
  }
  fs.cpSync(path.join(dir, "src", "db", "migrations"), path.join(out, "migrations"), { recursive: true });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes("node_modules"));
  fs.writeFileSync(
    path.join(out, "meta.json"),
    `${JSON.stringify({ inputs, packages: [...imported].sort() }, null, 2)}\n`,
  );
  fs.rmSync(dist, { recursive: true, force: true });
  fs.renameSync(out, dist);
  fs.chmodSync(dist, 0o755);
  const size = (f) => Math.round(fs.statSync(path.join(dist, f)).size / 1024);
  console.log(
    `server: dist/main.mjs ${size("main.mjs")} KB, dist/cli.mjs ${size("cli.mjs")} KB ` +
      `(${inputs.length} source files, ${imported.size} packages external) in ${Math.round(performance.now() - started)} ms`,
  );
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
