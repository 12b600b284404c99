import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { registeredRoutes } from "./app";

/**
 * Text PostgreSQL cannot store (NUL, U+0000): never a 500. Providers' and site visitors' text is kept
 * without it; a person's own input is refused with the field to fix.
 */
const t = useTestServer();
const NUL = "\u0000";

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  minItems?: number;
  additionalProperties?: Schema | boolean;
};

/** A value for a JSON schema with a NUL in every string (it still matches once the NUL is removed). */
function sample(s: Schema | undefined, id: string): unknown {
  if (!s) return `text${NUL}`;
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt.find((x) => x.type !== "null") ?? alt[0], id);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => sample(x, id) as object));
  if (s.const !== undefined) return typeof s.const === "string" ? `${s.const}${NUL}` : s.const;
  if (s.enum) return typeof s.enum[0] === "string" ? `${s.enum[0]}${NUL}` : s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sample(v, id);
      if (!s.properties && typeof s.additionalProperties === "object")
        out[`key${NUL}`] = sample(s.additionalProperties, id);
      return out;
    }
    case "array":
      return [sample(s.items, id)];
    case "integer":
    case "number":
      return s.minimum ?? 1;
    case "boolean":
      return true;
    default:
      if (s.format === "uuid") return `${id}${NUL}`;
      if (s.format === "email") return `a${NUL}b@example.com`;
      if (s.format === "uri" || s.format === "url") return `https://example.com/${NUL}`;
      return `text ${NUL} with a NUL`;
  }
}

describe("NUL characters", () => {
  it("never answer 5xx on any route, in bodies, query strings or paths", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound(unique("c"), "hello"));
    const conversationId = r.body.results[0].conversationId as string;
    const widget = await owner.post("/api/connections", {
      type: "widget",
      name: "Website",
      settings: { allowedOrigins: [t.url] },
    });
    const session = await fetch(`${t.url}/api/widget/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: t.url },
      body: JSON.stringify({
        connection: widget.body.connection.id,
        page: { origin: t.url, url: `${t.url}/` },
      }),
    });
    expect(session.status).toBe(200);
    const { token } = (await session.json()) as { token: string };

    const spec = (t.server.app as unknown as { swagger(): any }).swagger();
    const routes = registeredRoutes(t.server.app).filter(
      (x) => x.url !== "/api/auth/sign-out" && x.method !== "HEAD" && !x.url.startsWith("/api/docs"),
    );
    expect(routes.length).toBeGreaterThan(40);
    const idFor = (url: string, param: string) =>
      param === "connectionId" || url.startsWith("/api/connections/")
        ? conn.id
        : param === "type"
          ? "api"
          : url.startsWith("/api/conversations/")
            ? conversationId
            : crypto.randomUUID();
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const op = spec.paths?.[route.url.replace(/:(\w+)/g, "{$1}")]?.[route.method.toLowerCase()];
      const bodySchema = op?.requestBody?.content?.["application/json"]?.schema as Schema | undefined;
      const query = new URLSearchParams();
      for (const p of (op?.parameters ?? []) as { in: string; name: string; schema?: Schema }[]) {
        if (p.in !== "query") continue;
        const v = sample(p.schema, crypto.randomUUID());
        query.set(p.name, typeof v === "string" ? v : `${String(v)}${NUL}`);
      }
      const path = route.url.replace(/:(\w+)/g, (_m, p: string) => idFor(route.url, p));
      const nulPath = route.url.replace(/:(\w+)/g, (_m, p: string) => `${idFor(route.url, p)}%00`);
      const withBody = route.method !== "GET" && route.method !== "DELETE";
      const body = withBody
        ? sample(bodySchema ?? { type: "object", properties: { text: {} } }, conversationId)
        : undefined;
      const requests = [
        { url: `${path}?${query}`, body },
        ...(nulPath !== path ? [{ url: nulPath, body: withBody ? {} : undefined }] : []),
      ];
      for (const req of requests) {
        const res = await fetch(t.url + req.url, {
          method: route.method,
          headers: {
            cookie: owner.cookie!,
            "x-csrf-token": owner.csrf!,
            authorization: `Bearer ${token}`,
            origin: t.url,
            ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
          },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
        });
        sent++;
        const text = await res.text();
        if (res.status >= 500)
          failures.push(`${route.method} ${req.url} → ${res.status} ${text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(routes.length);
  });

  it("keeps a signed webhook's message without the NUL (or a lone surrogate), and answers 200", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const r = await conn.post(
      inbound(contact, `hello${NUL} there`, unique("m"), { contact: { id: contact, name: `Ann${NUL}a` } }),
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { conversationId } = r.body.results[0];
    const feed = await owner.get(`/api/conversations/${conversationId}/messages`);
    expect(feed.body.messages.map((m: { text: string }) => m.text)).toContain("hello there");
    // Half of a surrogate pair is not a character: kept as U+FFFD.
    const broken = await conn.post(inbound(contact, "broken \ud83d pair"));
    expect(broken.status, JSON.stringify(broken.body)).toBe(200);
    const after = await owner.get(`/api/conversations/${conversationId}/messages`);
    expect(after.body.messages.map((m: { text: string }) => m.text)).toContain("broken \ufffd pair");
    const c = await owner.get(`/api/conversations/${conversationId}`);
    expect(c.body.conversation.contact.name).toBe("Anna");
  });

  it("keeps a site visitor's message without the NUL", async () => {
    const { owner } = await newWorkspace(t);
    const widget = await owner.post("/api/connections", {
      type: "widget",
      name: "Website",
      settings: { allowedOrigins: [t.url] },
    });
    const session = await fetch(`${t.url}/api/widget/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: t.url },
      body: JSON.stringify({
        connection: widget.body.connection.id,
        page: { origin: t.url, url: `${t.url}/${NUL}` },
      }),
    });
    expect(session.status).toBe(200);
    const { token } = (await session.json()) as { token: string };
    const msg = await fetch(`${t.url}/api/widget/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ clientId: `client${NUL}-0001`, text: `hi${NUL}!` }),
    });
    const { message, error } = (await msg.json()) as { message: { text: string }; error?: unknown };
    expect(msg.status, JSON.stringify(error)).toBe(200);
    expect(message.text).toBe("hi!");
  });

  it("refuses an agent's message with a NUL: 400 naming the field", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound(unique("c"), "hello"));
    const { conversationId } = r.body.results[0];
    const sent = await owner.post(`/api/conversations/${conversationId}/messages`, { text: `bad${NUL}text` });
    expect(sent.status).toBe(400);
    expect(sent.body.error.code).toBe("validation_failed");
    expect(sent.body.error.message).toMatch(/body\.text.*NUL character.*Remove it/);
    const search = await owner.get(`/api/contacts?q=a%00b`);
    expect(search.status).toBe(400);
    expect(search.body.error.message).toMatch(/query\.q/);
  });
});
