/**
 * npm run openapi — regenerates the web app's API types (apps/web/src/api/schema.d.ts) from the server's route
 * schemas. Builds the server without listening, on a throw-away in-memory database. A test fails while the
 * file is stale (apps/server/src/http/openapi.test.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { buildOpenApiDocument, renderSchemaTypes, WEB_SCHEMA_FILE } from "../apps/server/src/http/openapi";

const text = await renderSchemaTypes(await buildOpenApiDocument());
const before = fs.existsSync(WEB_SCHEMA_FILE) ? fs.readFileSync(WEB_SCHEMA_FILE, "utf8") : null;
fs.writeFileSync(WEB_SCHEMA_FILE, text);
console.log(
  `${path.relative(process.cwd(), WEB_SCHEMA_FILE)}: ${before === text ? "unchanged" : "written"} (${text.length} bytes)`,
);
