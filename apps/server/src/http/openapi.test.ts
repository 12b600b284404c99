import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../testing/db";
import { buildOpenApiDocument, renderSchemaTypes, WEB_SCHEMA_FILE } from "./openapi";

describe("the web app's API types", () => {
  let testDb: Awaited<ReturnType<typeof openTestDb>>;
  beforeAll(async () => {
    testDb = await openTestDb();
  });
  afterAll(() => testDb.close());

  it("are generated from the server's current route schemas", async () => {
    const doc = await buildOpenApiDocument(testDb.db);
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(40);
    const expected = await renderSchemaTypes(doc);
    const actual = fs.existsSync(WEB_SCHEMA_FILE) ? fs.readFileSync(WEB_SCHEMA_FILE, "utf8") : "";
    if (actual !== expected) {
      expect.fail(
        "apps/web/src/api/schema.d.ts is stale: the server's route schemas changed. Run `npm run openapi` and commit the result.",
      );
    }
  });
});
