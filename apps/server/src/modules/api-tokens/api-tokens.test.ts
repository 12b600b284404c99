import { ALL_PERMISSIONS } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { addUser, apiConnection, inbound, newWorkspace, PASSWORD, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { createTokenAs, withToken } from "./test-helpers";

const clock = new MovableClock();
const t = useTestServer({ clock, env: { TRUST_PROXY: "true" } });

const call = (secret: string, method: string, path: string, body?: unknown, ip?: string) =>
  withToken(t.url, secret, method, path, body, ip);

async function auditOf(workspaceId: string, action: string) {
  return t.db.query<{
    user_id: string;
    target_id: string;
    data: any;
    ip: string;
    api_token_id: string | null;
  }>(
    "select user_id, target_id, data, ip, api_token_id from audit_log where workspace_id = $1 and action = $2 order by id",
    [workspaceId, action],
  );
}

describe("API tokens", () => {
  it("are described in the OpenAPI document as a bearer scheme on the API routes", async () => {
    const doc = (await (await fetch(`${t.url}/api/docs/json`)).json()) as {
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/api/tags"]!.get!.security).toEqual([{ session: [] }, { bearer: [] }]);
    expect(doc.paths["/api/tags"]!.post!.security).toEqual([{ session: [], csrf: [] }, { bearer: [] }]);
    expect(doc.paths["/api/me/password"]!.post!.security).toEqual([{ session: [], csrf: [] }]);
    expect(doc.paths["/api/auth/sign-in"]!.post!.security).toEqual([]);
  });

  it("authenticate GET and POST routes across modules without a cookie or CSRF header, as the creator", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const contact = unique("c");
    const r = await conn.post(inbound(contact, "Hello"));
    const { conversationId } = r.body.results[0];
    const { secret, id, token } = await createTokenAs(owner, [...ALL_PERMISSIONS], { name: "CRM sync" });
    expect(secret).toMatch(/^prl_[\w-]{40,}$/);
    expect(token.prefix).toBe(secret.slice(0, 12));

    const list = await call(secret, "GET", "/api/conversations");
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(JSON.stringify(list.body)).toContain(conversationId);
    expect((await call(secret, "GET", "/api/contacts")).status).toBe(200);
    expect((await call(secret, "GET", "/api/users")).status).toBe(200);
    const tag = await call(secret, "POST", "/api/tags", { name: unique("tag"), color: "#112233" });
    expect(tag.status, JSON.stringify(tag.body)).toBe(201);
    const note = await call(secret, "POST", `/api/conversations/${conversationId}/notes`, {
      text: "via API",
    });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    // Authored by the token's creator.
    expect(note.body.message.authorId ?? note.body.message.author?.id).toBe(owner.user!.id);
    const close = await call(secret, "POST", `/api/conversations/${conversationId}/status`, {
      status: "closed",
    });
    expect(close.status, JSON.stringify(close.body)).toBe(200);
    const exported = await call(secret, "GET", "/api/exports/conversations.csv?scope=inbox");
    expect(exported.status).toBe(200);

    // The list shows when and from where it was last used, and the token is in the workspace's list.
    const tokens = await owner.get("/api/api-tokens");
    const listed = tokens.body.tokens.find((x: { id: string }) => x.id === id);
    expect(listed).toMatchObject({ name: "CRM sync", lastUsedIp: "127.0.0.1", revokedAt: null });
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(tokens.body)).not.toContain(secret);
    const [created] = await auditOf(workspaceId, "api_token.created");
    expect(created).toMatchObject({ user_id: owner.user!.id, target_id: id, data: { name: "CRM sync" } });
  });

  it("refuses a route needing a permission the token lacks with 403 naming it", async () => {
    const { owner } = await newWorkspace(t);
    const { secret } = await createTokenAs(owner, ["conversations.reply"]);
    const r = await call(secret, "POST", "/api/tags", { name: unique("tag") });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain('"content.manage"');
    expect(r.body.error.details.missingPermissions).toEqual(["content.manage"]);
    const tokens = await call(secret, "GET", "/api/api-tokens");
    expect(tokens.status).toBe(403);
    expect(tokens.body.error.message).toContain("api.manage");
    // Without conversations.view_all it sees what its creator would as an agent: not the others' conversations.
    expect((await call(secret, "GET", "/api/conversations")).status).toBe(200);
  });

  it("never holds more than its creator: creation is refused, and a creator's lost right leaves the token", async () => {
    const { owner } = await newWorkspace(t);
    const supervisor = await addUser(t, owner, "supervisor");
    // A supervisor holding api.manage through the workspace's role settings is not possible by default:
    // an agent without api.manage is refused outright.
    const refused = await supervisor.client.post("/api/api-tokens", {
      name: "x",
      permissions: ["reports.view"],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("api.manage");
    const admin = await addUser(t, owner, "admin");
    const { secret } = await createTokenAs(admin.client, ["people.manage", "reports.view"]);
    expect((await call(secret, "GET", "/api/invitations")).status).toBe(200);
    // The admin becomes a supervisor: the token loses people.manage with them, at once.
    expect((await owner.patch(`/api/users/${admin.id}`, { role: "supervisor" })).status).toBe(200);
    const after = await call(secret, "GET", "/api/invitations");
    expect(after.status).toBe(403);
    expect(after.body.error.message).toContain('"people.manage"');
    // Deactivated: the token stops.
    expect((await owner.patch(`/api/users/${admin.id}`, { status: "disabled" })).status).toBe(200);
    const disabled = await call(secret, "GET", "/api/tags");
    expect(disabled.status).toBe(401);
    expect(disabled.body.error.message).toContain("disabled");
  });

  it("answers 401 to a wrong, an expired and a revoked token, each saying why", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const wrong = await call("prl_not-a-real-token", "GET", "/api/tags");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toContain("not valid");
    expect((await call("something-else", "GET", "/api/tags")).status).toBe(401);

    const expiresAt = new Date(clock.now().getTime() + 3600_000).toISOString();
    const expiring = await createTokenAs(owner, ["reports.view"], { name: "Short", expiresAt });
    expect((await call(expiring.secret, "GET", "/api/tags")).status).toBe(200);
    clock.advance(3600_000 + 1000);
    const expired = await call(expiring.secret, "GET", "/api/tags");
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('"Short" has expired');

    // An hour on, making a token asks for the password again first.
    expect((await owner.post("/api/auth/step-up", { password: PASSWORD })).status).toBe(200);
    const past = await owner.post("/api/api-tokens", {
      name: "Past",
      permissions: ["reports.view"],
      expiresAt: new Date(clock.now().getTime() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);

    const revoking = await createTokenAs(owner, ["reports.view"], { name: "Leaked" });
    expect((await call(revoking.secret, "GET", "/api/tags")).status).toBe(200);
    const revoked = await owner.post(`/api/api-tokens/${revoking.id}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.token.revokedAt).not.toBeNull();
    const after = await call(revoking.secret, "GET", "/api/tags");
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('"Leaked" was revoked');
    const [audit] = await auditOf(workspaceId, "api_token.revoked");
    expect(audit).toMatchObject({ target_id: revoking.id, ip: "127.0.0.1", data: { name: "Leaked" } });
    expect(audit!.api_token_id).toBeNull();
    // Revoked through another token: the entry names that token ("via token X").
    const admin = await createTokenAs(owner, ["api.manage"], { name: "Admin script" });
    const other = await createTokenAs(owner, ["reports.view"], { name: "Other" });
    expect((await call(admin.secret, "POST", `/api/api-tokens/${other.id}/revoke`, {})).status).toBe(200);
    const via = (await auditOf(workspaceId, "api_token.revoked")).find((e) => e.target_id === other.id);
    expect(via).toMatchObject({ user_id: owner.user!.id, api_token_id: admin.id });
  });

  it("refuses the routes only a person may call, with one message", async () => {
    const { owner } = await newWorkspace(t);
    const { secret } = await createTokenAs(owner, [...ALL_PERMISSIONS]);
    const personal: [string, string, unknown?][] = [
      ["DELETE", "/api/me/avatar"],
      ["PATCH", "/api/me", { name: "Bot" }],
      ["POST", "/api/me/password", { currentPassword: "x", newPassword: "y".repeat(12) }],
      ["GET", "/api/auth/session"],
      ["POST", "/api/auth/sign-out", {}],
      ["GET", "/api/notifications/settings"],
      ["POST", "/api/api-tokens", { name: "child", permissions: ["reports.view"] }],
    ];
    for (const [method, path, body] of personal) {
      const r = await call(secret, method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error.message, `${method} ${path}`).toContain("cannot be called with an API token");
    }
    // The person's own session still works there.
    expect((await owner.get("/api/notifications/settings")).status).toBe(200);
  });

  it("records api_token.new_address once per new address, and the last address used", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const { secret, id } = await createTokenAs(owner, ["reports.view"], { name: "Roaming" });
    for (const ip of ["203.0.113.5", "203.0.113.5", "198.51.100.7", "203.0.113.5", "198.51.100.7"])
      expect((await call(secret, "GET", "/api/tags", undefined, ip)).status).toBe(200);
    const entries = await auditOf(workspaceId, "api_token.new_address");
    expect(entries.map((e) => e.data)).toEqual([
      { tokenId: id, name: "Roaming", ip: "203.0.113.5" },
      { tokenId: id, name: "Roaming", ip: "198.51.100.7" },
    ]);
    expect(entries.every((e) => e.api_token_id === id && e.user_id === owner.user!.id)).toBe(true);
    const [row] = await t.db.query<{ last_used_ip: string; seen_ips: string[] }>(
      "select last_used_ip, seen_ips from api_tokens where id = $1",
      [id],
    );
    expect(row).toEqual({ last_used_ip: "198.51.100.7", seen_ips: ["203.0.113.5", "198.51.100.7"] });
  });

  it("keeps the remembered addresses bounded", async () => {
    const { owner } = await newWorkspace(t);
    const { secret, id } = await createTokenAs(owner, ["reports.view"], { rateLimit: 1000 });
    for (let i = 0; i < 105; i++)
      expect((await call(secret, "GET", "/api/tags", undefined, `10.0.${i >> 8}.${i & 255}`)).status).toBe(
        200,
      );
    const [row] = await t.db.query<{ seen_ips: string[] }>("select seen_ips from api_tokens where id = $1", [
      id,
    ]);
    expect(row!.seen_ips).toHaveLength(100);
    expect(row!.seen_ips.at(-1)).toBe("10.0.0.104");
    expect(row!.seen_ips[0]).toBe("10.0.0.5");
  });

  it("limits a token's requests per minute with 429 and Retry-After, counted in the database", async () => {
    const { owner } = await newWorkspace(t);
    const { secret } = await createTokenAs(owner, ["reports.view"], { rateLimit: 3 });
    const other = await createTokenAs(owner, ["reports.view"], { rateLimit: 3 });
    clock.freeze();
    try {
      for (let i = 0; i < 3; i++) expect((await call(secret, "GET", "/api/tags")).status).toBe(200);
      const limited = await call(secret, "GET", "/api/tags");
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBe(60);
      expect(limited.body.error.message).toContain("more than 3 requests");
      // Another token has its own count.
      expect((await call(other.secret, "GET", "/api/tags")).status).toBe(200);
      clock.advance(30_000);
      expect(Number((await call(secret, "GET", "/api/tags")).headers.get("retry-after"))).toBe(30);
      clock.advance(30_000);
      expect((await call(secret, "GET", "/api/tags")).status).toBe(200);
    } finally {
      clock.unfreeze();
    }
  });
});
