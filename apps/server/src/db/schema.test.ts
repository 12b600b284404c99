import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../testing/db";
import { SCHEMA_FILE, schemaTypes } from "./codegen";

// The row types the typed queries are checked against must describe the migrated database, on both kinds.
describe("generated row types (schema.ts)", () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(() => t.close());

  it("match the migrations", async () => {
    const fresh = await schemaTypes(t.db);
    const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
    expect(fresh === committed, "apps/server/src/db/schema.ts is stale: run npm run db:types").toBe(true);
  });
});
