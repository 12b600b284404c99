import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { newWorkspace } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { registeredRoutes } from "./app";

/**
 * Requests as an attacker shapes them: percent-encoded paths, which the router decodes to the same route,
 * and WebSocket upgrades from an opaque origin.
 */
const t = useTestServer();

/** A path with the "a" of /api and one more letter percent-encoded: the router decodes it to the same route. */
const encoded = (path: string) =>
  path.replace(/^\/api\/(\w)/, (_m, c: string) => `/%61pi/%${c.charCodeAt(0).toString(16)}`);

describe("percent-encoded paths", () => {
  it("answer 401 without a session on every authenticated route, as the plain paths do", async () => {
    const routes = registeredRoutes(t.server.app).filter(
      (r) => !r.public && r.url.startsWith("/api/") && !r.url.startsWith("/api/docs"),
    );
    expect(routes.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    for (const r of routes) {
      const path = r.url.replace(/:\w+/g, () => crypto.randomUUID());
      for (const p of [path, encoded(path)]) {
        const res = await fetch(t.url + p, {
          method: r.method,
          headers: r.method === "GET" || r.method === "HEAD" ? {} : { "content-type": "application/json" },
          body: r.method === "GET" || r.method === "HEAD" ? undefined : "{}",
        });
        if (res.status !== 401) wrong.push(`${r.method} ${p} → ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("check CSRF on encoded unsafe methods, and reach the route with the token", async () => {
    const { owner } = await newWorkspace(t);
    const name = `encoded-${crypto.randomUUID().slice(0, 8)}`;
    const forged = await fetch(`${t.url}${encoded("/api/tags")}`, {
      method: "POST",
      headers: { cookie: owner.cookie!, "content-type": "application/json" },
      body: JSON.stringify({ name, color: "#123456" }),
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("csrf_failed");
    expect((await owner.get("/api/tags")).body.tags.map((x: { name: string }) => x.name)).not.toContain(name);

    const ok = await fetch(`${t.url}${encoded("/api/tags")}`, {
      method: "POST",
      headers: { cookie: owner.cookie!, "x-csrf-token": owner.csrf!, "content-type": "application/json" },
      body: JSON.stringify({ name, color: "#123456" }),
    });
    expect(ok.status).toBe(201);
    const read = await fetch(`${t.url}${encoded("/api/tags")}`, { headers: { cookie: owner.cookie! } });
    expect(read.status).toBe(200);
  });
});

/** Opens a WebSocket and resolves with the HTTP status of a refused upgrade (101 when it opened). */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("error", reject);
  });
}

describe("WebSocket origins", () => {
  it("refuses the agents' socket from an opaque origin (Origin: null) with 403", async () => {
    const { owner } = await newWorkspace(t);
    const socket = `${t.wsUrl}/api/realtime`;
    expect(await upgrade(socket, { cookie: owner.cookie!, origin: "null" })).toBe(403);
    expect(await upgrade(socket, { cookie: owner.cookie!, origin: "not a url" })).toBe(403);
    expect(await upgrade(socket, { cookie: owner.cookie!, origin: "https://evil.example" })).toBe(403);
    expect(await upgrade(socket, { cookie: owner.cookie!, origin: t.url })).toBe(101);
  });

  it("refuses the visitor's socket from an opaque origin (Origin: null) with 403", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await owner.post("/api/connections", {
      type: "widget",
      name: "Website",
      settings: { allowedOrigins: ["https://shop.example"] },
    });
    expect(conn.status).toBe(201);
    const s = await fetch(`${t.url}/api/widget/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://shop.example" },
      body: JSON.stringify({
        connection: conn.body.connection.id,
        page: { origin: "https://shop.example", url: "https://shop.example/" },
      }),
    });
    expect(s.status).toBe(200);
    const { token } = (await s.json()) as { token: string };
    const socket = `${t.wsUrl}/api/widget/socket?token=${token}`;
    expect(await upgrade(socket, { origin: "null" })).toBe(403);
    expect(await upgrade(socket, { origin: "https://shop.example" })).toBe(101);
  });
});
