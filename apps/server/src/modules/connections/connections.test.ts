import { describe, expect, it } from "vitest";
import { signBody } from "../../channels/api/adapter";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

/** Posts a webhook to a connection signed with the given secret. */
async function webhook(connectionId: string, secret: string, payload: unknown) {
  const raw = JSON.stringify(payload);
  const res = await fetch(`${t.url}/api/webhooks/api/${connectionId}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-signature": signBody(secret, raw) },
    body: raw,
  });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { code: string }; results?: unknown[] },
  };
}

const messageCount = async (connectionId: string) =>
  (
    await t.db.query<{ n: number }>("select count(*)::int as n from messages where connection_id = $1", [
      connectionId,
    ])
  )[0]!.n;

describe("channel connections", () => {
  it("lists the channel types with the JSON schema of each connection form, secrets marked write-only", async () => {
    const { owner } = await newWorkspace(t);
    const r = await owner.get("/api/channel-types");
    expect(r.status).toBe(200);
    type Info = {
      type: string;
      connectable: boolean;
      credentials: { properties: Record<string, Record<string, unknown>>; required?: string[] } | null;
      settings: { properties: Record<string, Record<string, unknown>> };
    };
    const byType = new Map((r.body.channelTypes as Info[]).map((c) => [c.type, c]));
    expect([...byType.keys()].sort()).toEqual(
      [
        "api",
        "email",
        "instagram",
        "line",
        "messenger",
        "sms",
        "telegram",
        "telegram_user",
        "viber",
        "wechat",
        "whatsapp",
        "widget",
      ].sort(),
    );
    expect(byType.get("widget")!.connectable).toBe(false);
    // A personal Telegram account is signed in step by step, not with a generated form.
    expect(byType.get("telegram_user")).toMatchObject({ connectable: true, credentials: null });
    expect(byType.get("api")!.credentials).toBeNull();
    expect(byType.get("api")!.settings.properties.outboundUrl).toMatchObject({
      title: "channelForms.fields.outboundUrl",
    });
    const telegram = byType.get("telegram")!;
    expect(telegram.connectable).toBe(true);
    expect(telegram.credentials!.required).toEqual(["botToken"]);
    expect(telegram.credentials!.properties.botToken).toMatchObject({
      type: "string",
      writeOnly: true,
      title: "channelForms.fields.botToken",
      description: "channelForms.hints.botToken",
    });
    // SMS labels its fields from its own i18n namespace.
    const sms = byType.get("sms")!.credentials!;
    expect(sms.required).toEqual(["accountSid", "authToken"]);
    expect(sms.properties.authToken).toMatchObject({ writeOnly: true, title: "sms.fields.authToken" });
    expect(sms.properties.baseUrl).toMatchObject({ format: "uri", description: "sms.hints.baseUrl" });
    const email = byType.get("email")!.credentials!;
    expect(email.properties.imap).toMatchObject({ type: "object", title: "channelForms.groups.imap" });
    expect(byType.get("messenger")!.settings.properties.humanAgentTag).toMatchObject({
      type: "boolean",
      default: false,
    });
  });

  it("lets only owners and admins connect a channel; the secret and webhook URL are shown once", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const supervisor = await addUser(t, owner, "supervisor");
    const admin = await addUser(t, owner, "admin");
    for (const c of [agent.client, supervisor.client]) {
      const r = await c.post("/api/connections", { type: "api", name: "Nope" });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe("forbidden");
    }
    expect(
      await t.db.query("select 1 from channel_connections where workspace_id = $1", [workspaceId]),
    ).toHaveLength(0);

    const r = await admin.client.post("/api/connections", {
      type: "api",
      name: "  Website  ",
      settings: { outboundUrl: "https://hooks.example.com/parley" },
    });
    expect(r.status).toBe(201);
    const { connection, reveal } = r.body;
    expect(connection).toMatchObject({
      type: "api",
      name: "Website",
      enabled: true,
      settings: { outboundUrl: "https://hooks.example.com/parley" },
      health: { lastWebhookAt: null, lastStatusAt: null, lastError: null, lastErrorAt: null, errorCount: 0 },
    });
    expect(Object.keys(reveal).sort()).toEqual(["secret", "webhookUrl"]);
    expect(reveal.webhookUrl).toBe(`${t.url}/api/webhooks/api/${connection.id}`);
    expect(reveal.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(JSON.stringify(connection)).not.toContain(reveal.secret);

    // Reading never returns the secret or the credentials, to anyone.
    for (const c of [owner, admin.client, agent.client]) {
      const list = await c.get("/api/connections");
      expect(list.status).toBe(200);
      expect(list.body.connections.map((x: { id: string }) => x.id)).toEqual([connection.id]);
      const one = await c.get(`/api/connections/${connection.id}`);
      expect(one.status).toBe(200);
      expect(one.body.connection.id).toBe(connection.id);
      for (const text of [JSON.stringify(list.body), JSON.stringify(one.body)]) {
        expect(text).not.toContain(reveal.secret);
        expect(text).not.toMatch(/credentials/i);
        expect(text).not.toMatch(/"secret"/);
      }
    }
    const audit = await t.db.query<{ action: string }>("select action from audit_log where target_id = $1", [
      connection.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(["connection.created"]);
  });

  it("encrypts the credentials at rest", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const [row] = await t.db.query<{ credentials_enc: string }>(
      "select credentials_enc from channel_connections where id = $1",
      [conn.id],
    );
    expect(row!.credentials_enc).not.toContain(conn.secret);
    expect(row!.credentials_enc).not.toContain(Buffer.from(conn.secret).toString("base64url"));
    expect(row!.credentials_enc).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    // It is the secret, sealed with the server's key.
    expect(t.server.ctx.secrets.open(row!.credentials_enc)).toEqual({ secret: conn.secret });
    // Nothing else in the row holds it either.
    const [whole] = await t.db.query<{ j: string }>(
      "select row_to_json(c)::text as j from channel_connections c where id = $1",
      [conn.id],
    );
    expect(whole!.j).not.toContain(conn.secret);
  });

  it("refuses unknown channel types and invalid settings", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const badType = await owner.post("/api/connections", { type: "carrier-pigeon", name: "x" });
    expect(badType.status).toBe(400);
    // Every known type now has an adapter; the widget's settings are validated like the others'.
    const badOrigin = await owner.post("/api/connections", {
      type: "widget",
      name: "x",
      settings: { allowedOrigins: ["https://shop.example/with/a/path"] },
    });
    expect(badOrigin.status).toBe(400);
    expect(badOrigin.body.error.code).toBe("validation_failed");
    for (const outboundUrl of ["not a url", "ftp://example.com/x", 42]) {
      const r = await owner.post("/api/connections", { type: "api", name: "x", settings: { outboundUrl } });
      expect(r.status, String(outboundUrl)).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
    }
    expect((await owner.post("/api/connections", { type: "api", name: "" })).status).toBe(400);
    // Without its outbound URL an API connection could never deliver a reply: refused, saying what to enter.
    for (const settings of [undefined, {}, { outboundUrl: null }, { outboundUrl: "" }]) {
      const r = await owner.post("/api/connections", { type: "api", name: "No outbound", settings });
      expect(r.status, JSON.stringify(settings)).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
      expect(r.body.error.message).toContain("outboundUrl: The outbound URL is required");
      expect(r.body.error.details).toEqual([
        expect.objectContaining({ path: ["outboundUrl"], message: expect.stringContaining("is required") }),
      ]);
    }
    expect(
      await t.db.query("select 1 from channel_connections where workspace_id = $1", [workspaceId]),
    ).toHaveLength(0);
  });

  it("renames and changes settings (validated), admins only", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner, "https://one.example.com/in");

    const refused = await agent.client.patch(`/api/connections/${conn.id}`, { name: "Mine" });
    expect(refused.status).toBe(403);

    const bad = await owner.patch(`/api/connections/${conn.id}`, {
      settings: { outboundUrl: "javascript:alert(1)" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(
      (await owner.patch(`/api/connections/${conn.id}`, { settings: { outboundUrl: "nope" } })).status,
    ).toBe(400);
    const unchanged = await owner.get(`/api/connections/${conn.id}`);
    expect(unchanged.body.connection.settings).toEqual({ outboundUrl: "https://one.example.com/in" });

    const renamed = await owner.patch(`/api/connections/${conn.id}`, { name: "Shop" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.connection).toMatchObject({
      name: "Shop",
      enabled: true,
      settings: { outboundUrl: "https://one.example.com/in" },
    });
    const moved = await owner.patch(`/api/connections/${conn.id}`, {
      settings: { outboundUrl: "http://two.example.com/in" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.connection).toMatchObject({
      name: "Shop",
      settings: { outboundUrl: "http://two.example.com/in" },
    });
    // Nor can an existing one lose it.
    const cleared = await owner.patch(`/api/connections/${conn.id}`, { settings: { outboundUrl: null } });
    expect(cleared.status).toBe(400);
    expect(cleared.body.error.message).toContain("The outbound URL is required");
    expect((await owner.get(`/api/connections/${conn.id}`)).body.connection.settings).toEqual({
      outboundUrl: "http://two.example.com/in",
    });
    // The secret did not change.
    expect((await conn.post(inbound(unique("c"), "still signed"))).status).toBe(200);

    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await owner.patch(`/api/connections/${missing}`, { name: "x" })).status).toBe(404);
    expect((await owner.get(`/api/connections/${missing}`)).status).toBe(404);
  });

  it("refuses webhooks of a disabled connection with 403, and accepts them again once enabled", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const disabled = await owner.patch(`/api/connections/${conn.id}`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body.connection.enabled).toBe(false);
    const r = await conn.post(inbound(unique("c"), "hello?"));
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("forbidden");
    expect(await messageCount(conn.id)).toBe(0);

    expect(
      (await owner.patch(`/api/connections/${conn.id}`, { enabled: true })).body.connection.enabled,
    ).toBe(true);
    expect((await conn.post(inbound(unique("c"), "hello"))).status).toBe(200);
    expect(await messageCount(conn.id)).toBe(1);
  });

  it("rotates the secret: the old one stops working, the new one works", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const conn = await apiConnection(t, owner);
    expect((await agent.client.post(`/api/connections/${conn.id}/rotate-secret`)).status).toBe(403);
    expect((await conn.post(inbound(unique("c"), "old secret still valid"))).status).toBe(200);

    const rotated = await owner.post(`/api/connections/${conn.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret, webhookUrl } = rotated.body.reveal;
    expect(webhookUrl).toBe(conn.webhookUrl);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(secret).not.toBe(conn.secret);

    const old = await webhook(conn.id, conn.secret, inbound(unique("c"), "with the old secret"));
    expect(old.status).toBe(401);
    expect(old.body.error!.code).toBe("invalid_signature");
    const fresh = await webhook(conn.id, secret, inbound(unique("c"), "with the new secret"));
    expect(fresh.status).toBe(200);
    expect(await messageCount(conn.id)).toBe(2);
    const [row] = await t.db.query<{ credentials_enc: string }>(
      "select credentials_enc from channel_connections where id = $1",
      [conn.id],
    );
    expect(row!.credentials_enc).not.toContain(secret);
    expect((await owner.get(`/api/connections/${conn.id}`)).body.connection.id).toBe(conn.id);
    expect(JSON.stringify((await owner.get(`/api/connections/${conn.id}`)).body)).not.toContain(secret);
    expect(
      (await owner.post("/api/connections/00000000-0000-4000-8000-000000000000/rotate-secret")).status,
    ).toBe(404);
  });

  it("deletes a connection with its conversations; its webhook then answers 404", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const admin = await addUser(t, owner, "admin");
    const supervisor = await addUser(t, owner, "supervisor");
    const conn = await apiConnection(t, owner);
    const keep = await apiConnection(t, owner);
    await conn.post(inbound(unique("c"), "goes away"));
    await keep.post(inbound(unique("c"), "stays"));
    expect((await owner.get("/api/conversations")).body.conversations).toHaveLength(2);

    expect((await supervisor.client.delete(`/api/connections/${conn.id}`)).status).toBe(403);
    expect((await admin.client.delete(`/api/connections/${conn.id}`)).status).toBe(204);
    expect((await owner.delete(`/api/connections/${conn.id}`)).status).toBe(404);
    expect((await owner.get(`/api/connections/${conn.id}`)).status).toBe(404);
    expect((await owner.get("/api/connections")).body.connections.map((c: { id: string }) => c.id)).toEqual([
      keep.id,
    ]);
    const convs = (await owner.get("/api/conversations")).body.conversations;
    expect(convs.map((c: { connection: { id: string } }) => c.connection.id)).toEqual([keep.id]);
    expect(await t.db.query("select 1 from conversations where connection_id = $1", [conn.id])).toHaveLength(
      0,
    );
    expect(await messageCount(conn.id)).toBe(0);

    const r = await conn.post(inbound(unique("c"), "anyone there?"));
    expect(r.status).toBe(404);
    // A webhook URL with the wrong channel type finds nothing either.
    const wrongType = await fetch(`${t.url}/api/webhooks/telegram/${keep.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(wrongType.status).toBe(404);
    const audit = await t.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 and target_id = $2 order by id",
      [workspaceId, conn.id],
    );
    expect(audit.map((a) => a.action)).toEqual(["connection.created", "connection.deleted"]);
  });

  it("reports health: lastWebhookAt after a webhook, lastStatusAt after a status report", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const before = await owner.get(`/api/connections/${conn.id}`);
    expect(before.body.connection.health).toEqual({
      lastWebhookAt: null,
      lastStatusAt: null,
      lastError: null,
      lastErrorAt: null,
      errorCount: 0,
    });
    const start = Date.now();
    expect((await conn.post(inbound(unique("c"), "hi"))).status).toBe(200);
    const after = (await owner.get(`/api/connections/${conn.id}`)).body.connection.health;
    expect(after.lastWebhookAt).not.toBeNull();
    expect(Date.parse(after.lastWebhookAt)).toBeGreaterThanOrEqual(start - 1000);
    expect(Date.parse(after.lastWebhookAt)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(after.lastStatusAt).toBeNull();

    // A refused webhook (bad signature) is not a delivery.
    const refused = await webhook(conn.id, "wrong-secret", inbound(unique("c"), "x"));
    expect(refused.status).toBe(401);
    const same = (await owner.get(`/api/connections/${conn.id}`)).body.connection.health;
    expect(same.lastWebhookAt).toBe(after.lastWebhookAt);

    const status = await conn.post({ type: "status", messageId: "unknown-message", status: "delivered" });
    expect(status.status).toBe(200);
    const listed = (await owner.get("/api/connections")).body.connections[0].health;
    expect(listed.lastStatusAt).not.toBeNull();
    expect(Date.parse(listed.lastWebhookAt)).toBeGreaterThanOrEqual(Date.parse(after.lastWebhookAt));
  });
});
