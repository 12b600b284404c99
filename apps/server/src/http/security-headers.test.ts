import { describe, expect, it } from "vitest";
import { newWorkspace } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";

/** The security headers of every kind of answer: the web app, the API, the docs, the widget's frame. */
const t = useTestServer();

const get = (path: string) => fetch(t.url + path, { redirect: "manual" });

describe("security headers", () => {
  it("give the web app a policy without inline scripts, refuse framing, and never sniff", async () => {
    const page = await get("/sign-in");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`connect-src 'self' ${t.wsUrl}`);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    // Over http, no HSTS.
    expect(page.headers.get("strict-transport-security")).toBeNull();

    const api = await get("/api/conversations");
    expect(api.status).toBe(401);
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("send HSTS when the public URL is https", async () => {
    const config = t.server.ctx.config as { publicUrl: string };
    const before = config.publicUrl;
    config.publicUrl = "https://parley.example";
    try {
      const page = await get("/sign-in");
      expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(page.headers.get("content-security-policy")).toContain(
        "connect-src 'self' wss://parley.example",
      );
    } finally {
      config.publicUrl = before;
    }
  });

  it("give the API documentation its own policy (Swagger UI's own), never framed", async () => {
    const docs = await get("/api/docs");
    expect(docs.status).toBe(200);
    const csp = docs.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(docs.headers.get("x-frame-options")).toBe("DENY");
    expect((await get("/api/docs/json")).status).toBe(200);
  });

  it("keep the widget frame's own policy: framed by the allowed sites only", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await owner.post("/api/connections", {
      type: "widget",
      name: "Website",
      settings: { allowedOrigins: ["https://shop.example"] },
    });
    const frame = await get(`/widget/frame?connection=${conn.body.connection.id}`);
    expect(frame.status).toBe(200);
    expect(frame.headers.get("content-security-policy")).toContain("frame-ancestors https://shop.example");
    expect(frame.headers.get("x-frame-options")).toBeNull();
    expect(frame.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
