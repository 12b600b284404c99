import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import type { App } from "./types";
import { webAppRoutes } from "./web-app";

const dist = fs.mkdtempSync(path.join(os.tmpdir(), "parley-dist-"));
afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

async function appWith(withBuild: boolean) {
  const app = Fastify();
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: { code: "not_found" } }));
  app.get("/api/ping", async () => ({ ok: true }));
  const served = await webAppRoutes(app as unknown as App, withBuild ? dist : path.join(dist, "none"));
  await app.ready();
  return { app, served };
}

describe("web app at /", () => {
  fs.mkdirSync(path.join(dist, "assets"));
  fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>Parley</title>");
  fs.writeFileSync(path.join(dist, "assets", "index-abc.js"), "console.log(1)");
  fs.writeFileSync(path.join(dist, "favicon.svg"), "<svg/>");

  it("serves the page, its assets, and the page for the app's own paths; /api stays JSON", async () => {
    const { app, served } = await appWith(true);
    expect(served).toBe(true);
    const root = await app.inject("/");
    expect(root.statusCode).toBe(200);
    expect(root.headers["content-type"]).toContain("text/html");
    expect(root.headers["cache-control"]).toBe("no-cache");
    const deep = await app.inject("/inbox/5d0f3c4e-0000-4000-8000-000000000000?view=all");
    expect(deep.body).toContain("<title>Parley</title>");
    const asset = await app.inject("/assets/index-abc.js");
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await app.inject("/favicon.svg")).body).toBe("<svg/>");
    expect((await app.inject("/assets/missing.js")).statusCode).toBe(404);
    expect((await app.inject("/api/ping")).json()).toEqual({ ok: true });
    const unknownApi = await app.inject("/api/nothing-here");
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json()).toEqual({ error: { code: "not_found" } });
    expect((await app.inject("/../../etc/passwd")).body).toContain("<title>Parley</title>");
    // A malformed escape is refused by Fastify before routing, never a 500.
    expect((await app.inject("/inbox/%E0%A4%A")).statusCode).toBe(400);
    await app.close();
  });

  it("without a build, / leads to the API documentation", async () => {
    const { app, served } = await appWith(false);
    expect(served).toBe(false);
    const r = await app.inject("/");
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe("/api/docs");
    await app.close();
  });
});
