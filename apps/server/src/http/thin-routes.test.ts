import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Routes are thin: they validate, check the policy and call one command or query. SQL lives in the
 * feature's commands and queries, never in `routes.ts` or `routes/*.ts`.
 */
const SRC = path.resolve(__dirname, "..");

/** The string and template literals of a TypeScript source, comments left out. */
export function literals(source: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < n && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      let text = "";
      i++;
      while (i < n && source[i] !== c) {
        if (source[i] === "\\") {
          text += source[i + 1] ?? "";
          i += 2;
          continue;
        }
        if (c === "`" && source[i] === "$" && source[i + 1] === "{") {
          // An interpolation: skip to its closing brace (SQL around it stays one literal).
          let depth = 1;
          i += 2;
          while (i < n && depth > 0) {
            if (source[i] === "{") depth++;
            else if (source[i] === "}") depth--;
            i++;
          }
          text += " ? ";
          continue;
        }
        text += source[i];
        i++;
      }
      out.push(text);
      i++;
    } else {
      i++;
    }
  }
  return out;
}

const SQL = [
  /\bselect\s[\s\S]*?\bfrom\s+[a-z_(]/,
  /\binsert\s+into\s+[a-z_]/,
  /\bupdate\s+[a-z_]+(\s+[a-z_]+)?\s+set\s/,
  /\bdelete\s+from\s+[a-z_]/,
];

/** What in a source looks like SQL: literals holding a statement, and calls to `.query(`. */
export function sqlIn(source: string): string[] {
  const found = literals(source)
    .filter((l) => SQL.some((re) => re.test(l)))
    .map((l) => l.replace(/\s+/g, " ").trim().slice(0, 80));
  const calls = source.match(/\.query\s*(<[^>]*>)?\s*\(/g) ?? [];
  return [...found, ...calls];
}

function routeFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...routeFiles(full));
    else if (
      entry.name.endsWith(".ts") &&
      !entry.name.endsWith(".test.ts") &&
      (entry.name === "routes.ts" || path.basename(dir) === "routes")
    )
      files.push(path.relative(SRC, full).split(path.sep).join("/"));
  }
  return files.sort();
}

describe("thin routes", () => {
  it("finds SQL in literals and query calls, not in prose", () => {
    expect(sqlIn('q.query("select id from users where id = $1", [id])')).toHaveLength(2);
    const interpolated = ["db.query<Row>(`update conversations c set status = $2 where id = $", "{id}`)"];
    expect(sqlIn(interpolated.join(""))).toHaveLength(2);
    expect(sqlIn('const s = "insert into audit_log (a) values ($1)";')).toHaveLength(1);
    expect(sqlIn('const s = "delete from drafts where id = $1";')).toHaveLength(1);
    expect(
      sqlIn(
        [
          'summary: "Delete a conversation and its messages (admins)",',
          'summary: "Update the settings; select the conversations to close",',
          "// select id from users (a comment)",
          "const hub = ctx.queryable;",
        ].join("\n"),
      ),
    ).toEqual([]);
  });

  it("keeps SQL out of every route file", () => {
    const files = routeFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const offenders = files
      .map((f) => ({ file: f, sql: sqlIn(fs.readFileSync(path.join(SRC, f), "utf8")) }))
      .filter((o) => o.sql.length);
    expect(offenders).toEqual([]);
  });
});
