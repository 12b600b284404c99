import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Files stay small enough to read in one sitting: no source file (tests and generated files aside) reaches
 * 400 lines. A file that grows past it is split by action or concern, as the rest of the code is.
 */
const ROOT = path.resolve(__dirname, "..");
const LIMIT = 400;
/** Written by generators (`npm run openapi`, `npm run db:types`), never by hand. */
const GENERATED = new Set(["apps/web/src/api/schema.d.ts", "apps/server/src/db/schema.ts"]);

const sourceFiles = () =>
  execFileSync("git", ["ls-files", "-co", "--exclude-standard", "*.ts", "*.tsx", "*.js", "*.mjs", "*.cjs"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f && !/\.test\.tsx?$/.test(f) && !GENERATED.has(f) && fs.existsSync(path.join(ROOT, f)));

describe("file size", () => {
  it(`finds the repository's source files`, () => {
    expect(sourceFiles().length).toBeGreaterThan(300);
  });

  it(`keeps every source file under ${LIMIT} lines`, () => {
    const long = sourceFiles()
      .map((f) => ({ f, lines: fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length }))
      .filter((x) => x.lines >= LIMIT)
      .map((x) => `${x.f}: ${x.lines} lines`);
    expect(long, "split these files by action or concern").toEqual([]);
  });
});
