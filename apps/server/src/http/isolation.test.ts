import crypto from "node:crypto";
import { Readable } from "node:stream";
import { ALL_PERMISSIONS } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { signBody } from "../channels/api/adapter";
import { createTokenAs } from "../modules/api-tokens/test-helpers";
import {
  type ApiResponse,
  addUser,
  apiConnection,
  Client,
  inbound,
  newWorkspace,
  unique,
} from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { type RouteEntry, registeredRoutes } from "./app";
import { isPersonOnly } from "./person-only";

/**
 * Workspace isolation, for every route: a signed-in owner of workspace A, given the ids of workspace B's
 * resources, gets 404 everywhere and changes nothing. Routes are enumerated from the running server, so a
 * new route is covered as soon as it exists (or fails here until its ids are known).
 */

const t = useTestServer();

interface Seeded {
  owner: Client;
  workspaceId: string;
  ownerId: string;
  agentId: string;
  connectionId: string;
  secret: string;
  conversationId: string;
  contactId: string;
  messageId: string;
  noteId: string;
  tagId: string;
  cannedId: string;
  teamId: string;
  invitationId: string;
  invitationToken: string;
  fileId: string;
  bulkOperationId: string;
  taskId: string;
  roleId: string;
  apiTokenId: string;
  /** A token of this workspace holding every permission. */
  apiToken: string;
  /** The agent's signed-in session, by the id people and admins see. */
  sessionId: string;
  webhookEndpointId: string;
  webhookDeliveryId: string;
  alertId: string;
  savedFilterId: string;
  botId: string;
  ruleId: string;
  /** A personal Telegram sign-in in progress (written directly: the sweep's server talks to no Telegram). */
  telegramLoginId: string;
  /** Names and texts that only this workspace's data contains. */
  words: string[];
}

/** A workspace with one of everything: connection, conversation, messages, contact, tag, canned reply, team, invitation. */
async function seedWorkspace(label: string): Promise<Seeded> {
  const { owner, workspaceId } = await newWorkspace(t, unique(`${label}-workspace`));
  const agent = await addUser(t, owner, "agent", unique(`${label}-agent`));
  const conn = await apiConnection(t, owner, "https://hooks.example.com/in");
  const external = unique(`${label}-ext`);
  const contactName = unique(`${label}-Contact`);
  const messageText = unique(`${label}-message text`);
  const r = await conn.post(
    inbound(external, messageText, unique("m"), { contact: { id: external, name: contactName } }),
  );
  expect(r.status).toBe(200);
  const { conversationId, messageId } = r.body.results[0];
  const [conversation] = await t.db.query<{ contact_id: string }>(
    "select contact_id from conversations where id = $1",
    [conversationId],
  );
  const ok = async (p: Promise<ApiResponse>, status = 200) => {
    const res = await p;
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    return res.body;
  };

  const noteText = unique(`${label}-note`);
  const note = await ok(owner.post(`/api/conversations/${conversationId}/notes`, { text: noteText }), 201);
  await ok(owner.put(`/api/conversations/${conversationId}/draft`, { text: unique(`${label}-draft`) }));
  await ok(owner.post(`/api/conversations/${conversationId}/read`, {}));
  const tagName = unique(`${label}-tag`);
  const tag = await ok(owner.post("/api/tags", { name: tagName, color: "#123456" }), 201);
  await ok(owner.put(`/api/contacts/${conversation!.contact_id}/tags/${tag.tag.id}`, { pinned: true }));
  const shortcut = unique(`${label}-canned`);
  const canned = await ok(
    owner.post("/api/canned-replies", { shortcut, title: shortcut, text: `${shortcut} text` }),
    201,
  );
  const teamName = unique(`${label}-team`);
  const team = await ok(owner.post("/api/teams", { name: teamName }), 201);
  await ok(owner.put(`/api/teams/${team.team.id}/members/${agent.id}`));
  // Disabled: it never runs, so nothing of this workspace changes in the background during the sweep.
  const ruleName = unique(`${label}-rule`);
  const rule = await ok(
    owner.post("/api/rules", {
      name: ruleName,
      enabled: false,
      trigger: "customer_message",
      conditions: { contactTagIds: [tag.tag.id] },
      actions: [{ type: "assign", userId: agent.id, teamId: team.team.id }],
    }),
    201,
  );
  await ok(owner.post(`/api/conversations/${conversationId}/operators`, { userId: agent.id }));
  const [telegramLogin] = await t.db.query<{ id: string }>(
    `insert into telegram_user_logins (workspace_id, name, step, state_enc, expires_at)
     values ($1, $2, 'code', $3, now() + interval '1 hour') returning id`,
    [workspaceId, unique(`${label}-tg`), t.server.ctx.secrets.seal({ phone: "+10000000000" })],
  );
  const fileId = crypto.randomUUID();
  const stored = await t.server.ctx.blobs.put(
    `${workspaceId}/${fileId}`,
    Readable.from([Buffer.from(`${label} file`)]),
    1000,
  );
  await t.db.query(
    "insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key) values ($1, $2, 'f.txt', 'text/plain', $3, $4, $5)",
    [fileId, workspaceId, stored.size, stored.sha256, `${workspaceId}/${fileId}`],
  );
  const invitationEmail = `${unique(`${label}-invitee`)}@example.com`;
  const invitation = await ok(owner.post("/api/invitations", { email: invitationEmail, role: "agent" }), 201);
  const bulk = await ok(
    owner.post("/api/conversations/bulk", { action: "mark_read", ids: [conversationId] }),
    202,
  );
  // The bulk job runs in the background: let it finish so it changes nothing after the snapshots below.
  await expect
    .poll(async () => (await owner.get(`/api/bulk-operations/${bulk.operation.id}`)).body.operation.status, {
      timeout: 10_000,
    })
    .toBe("completed");
  const taskTitle = unique(`${label}-task`);
  const task = await ok(owner.post("/api/tasks", { title: taskTitle, conversationId }), 201);
  const roleName = unique(`${label}-role`);
  const role = await ok(owner.post("/api/roles", { name: roleName, base: "agent", permissions: [] }), 201);
  await ok(owner.patch(`/api/users/${agent.id}`, { customRoleId: role.role.id }));
  const tokenName = unique(`${label}-token`);
  const token = await createTokenAs(owner, ALL_PERMISSIONS, { name: tokenName, rateLimit: 100_000 });
  const sessionId = (await ok(agent.client.get("/api/me/sessions"), 200)).sessions[0].id;
  // Off, so its test delivery waits untouched (nothing changes it in the background).
  const webhook = await ok(
    owner.post("/api/webhook-endpoints", {
      url: "https://hooks.example.com/events",
      events: ["message.created"],
      description: unique(`${label}-webhook`),
    }),
    201,
  );
  await ok(owner.patch(`/api/webhook-endpoints/${webhook.endpoint.id}`, { active: false }));
  const webhookTest = await ok(owner.post(`/api/webhook-endpoints/${webhook.endpoint.id}/test`), 201);
  const bot = await ok(
    owner.post("/api/bots", { name: unique(`${label}-bot`), webhookUrl: "https://hooks.example.com/bot" }),
    201,
  );
  // One wrong password raises an alert once the rule's threshold is 1.
  await ok(owner.patch("/api/alerts/rules/sign_in_failures_account", { threshold: 1 }));
  const wrong = await new Client(t.url).post("/api/auth/sign-in", {
    email: owner.user!.email,
    password: "not the password",
  });
  expect(wrong.status).toBe(401);
  const filterName = unique(`${label}-filter`);
  const savedFilter = await ok(
    owner.post("/api/saved-filters", { name: filterName, params: { view: "all" } }),
    201,
  );
  const [alert] = (await ok(owner.get("/api/alerts?status=open"))).alerts;
  expect(alert?.rule).toBe("sign_in_failures_account");
  // Its notification goes out in the background: let it, so it changes nothing after the snapshots below.
  await expect
    .poll(
      async () =>
        (
          await t.db.query(
            "select 1 from jobs where workspace_id = $1 and type like 'alerts.%' and status not in ('done', 'dead')",
            [workspaceId],
          )
        ).length,
      { timeout: 10_000 },
    )
    .toBe(0);
  return {
    owner,
    workspaceId,
    ownerId: owner.user!.id,
    agentId: agent.id,
    connectionId: conn.id,
    secret: conn.secret,
    conversationId,
    contactId: conversation!.contact_id,
    messageId,
    noteId: note.message.id,
    tagId: tag.tag.id,
    cannedId: canned.cannedReply.id,
    teamId: team.team.id,
    invitationId: invitation.invitation.id,
    invitationToken: String(invitation.acceptUrl).split("/invite/")[1]!,
    fileId,
    bulkOperationId: bulk.operation.id,
    taskId: task.task.id,
    roleId: role.role.id,
    apiTokenId: token.id,
    apiToken: token.secret,
    sessionId,
    webhookEndpointId: webhook.endpoint.id,
    webhookDeliveryId: webhookTest.delivery.id,
    alertId: alert.id,
    savedFilterId: savedFilter.savedFilter.id,
    botId: bot.bot.id,
    ruleId: rule.rule.id,
    telegramLoginId: telegramLogin!.id,
    words: [
      contactName,
      messageText,
      noteText,
      tagName,
      shortcut,
      teamName,
      invitationEmail,
      external,
      conn.secret,
      taskTitle,
      roleName,
      tokenName,
      token.secret,
      webhook.endpoint.description,
      webhook.secret,
      filterName,
      bot.bot.name,
      bot.token,
      bot.signingSecret,
      ruleName,
    ],
  };
}

const ids = (w: Seeded) => [
  w.workspaceId,
  w.ownerId,
  w.agentId,
  w.connectionId,
  w.conversationId,
  w.contactId,
  w.messageId,
  w.noteId,
  w.tagId,
  w.cannedId,
  w.teamId,
  w.invitationId,
  w.fileId,
  w.bulkOperationId,
  w.taskId,
  w.roleId,
  w.apiTokenId,
  w.sessionId,
  w.webhookEndpointId,
  w.webhookDeliveryId,
  w.alertId,
  w.savedFilterId,
  w.botId,
  w.ruleId,
  w.telegramLoginId,
];

/**
 * The id of a workspace's resource for a route parameter. `:id` names the resource of the path's first
 * segment after /api; other parameters name their resource. Undefined: this map must be extended.
 */
function idFor(w: Seeded, url: string, param: string): string | undefined {
  if (param === "id") {
    const resource = url.split("/")[2]!;
    const byResource: Record<string, string> = {
      conversations: w.conversationId,
      contacts: w.contactId,
      tags: w.tagId,
      "canned-replies": w.cannedId,
      connections: w.connectionId,
      teams: w.teamId,
      invitations: w.invitationId,
      files: w.fileId,
      users: w.agentId,
      "bulk-operations": w.bulkOperationId,
      tasks: w.taskId,
      roles: w.roleId,
      "api-tokens": w.apiTokenId,
      "webhook-endpoints": w.webhookEndpointId,
      alerts: w.alertId,
      "saved-filters": w.savedFilterId,
      // PUT /api/distribution/:kind/:id, with `:kind` = teams (see NAME_PARAMS).
      distribution: w.teamId,
      bots: w.botId,
      rules: w.ruleId,
      "telegram-user": w.telegramLoginId,
    };
    return byResource[resource];
  }
  const byParam: Record<string, string> = {
    userId: w.agentId,
    tagId: w.tagId,
    connectionId: w.connectionId,
    messageId: w.messageId,
    conversationId: w.conversationId,
    contactId: w.contactId,
    otherId: w.contactId,
    sessionId: w.sessionId,
    deliveryId: w.webhookDeliveryId,
    teamId: w.teamId,
  };
  return byParam[param];
}

/** Route parameters that name a kind of thing rather than a resource: the same value for A and B. */
const NAME_PARAMS: Record<string, string> = { kind: "teams" };

/**
 * Public routes with parameters are reachable without a session by design and are not workspace-scoped by
 * the caller's session; each is covered separately below.
 */
const PUBLIC_WITH_PARAMS: Record<string, string> = {
  "GET /api/invitations/accept/:token": "the token is an unguessable secret; covered by the invitation tests",
  "HEAD /api/invitations/accept/:token": "same as GET",
  "POST /api/webhooks/:type/:connectionId": "authenticated by the connection's signature; covered below",
  "GET /api/webhooks/:type/:connectionId":
    "a provider's verification handshake: answers only the connection's own token",
  "HEAD /api/webhooks/:type/:connectionId": "same as GET",
  "GET /api/files/:id":
    "a session that may read a conversation carrying the file, or a signed link; covered below and in storage/access.test.ts",
  "HEAD /api/files/:id": "same as GET",
  "GET /widget/:file": "the chat widget's own static files (a fixed list); nothing of a workspace",
  "HEAD /widget/:file": "same as GET",
};

/**
 * Routes whose parameter is a name that every workspace has (not a resource id): they act on the caller's own
 * workspace whatever the value, so they are left out of the 404 sweep; the snapshot still proves B unchanged.
 */
const NAMES_NOT_IDS: Record<string, string> = {
  "PATCH /api/alerts/rules/:rule": "a rule's name (large_export, …): edits the caller's own workspace's rule",
};
const isResourceRoute = (r: RouteEntry) => !(`${r.method} ${r.url}` in NAMES_NOT_IDS);

/** Valid bodies, so a request reaches the handler instead of stopping at validation. */
function bodyFor(a: Seeded, route: RouteEntry): unknown {
  const bodies: Record<string, unknown> = {
    "POST /api/conversations/:id/messages": { text: "hijack" },
    "POST /api/telegram-user/logins/:id/code": { code: "12345" },
    "POST /api/telegram-user/logins/:id/password": { password: "hijack" },
    "POST /api/conversations/:id/notes": { text: "hijack" },
    "POST /api/conversations/:id/template-messages": {
      templateId: "00000000-0000-4000-8000-000000000000",
      variables: { body: ["hijack"] },
    },
    "POST /api/conversations/:id/status": { status: "closed" },
    "PUT /api/conversations/:id/bot": { botId: a.botId },
    "PATCH /api/bots/:id": { name: "hijacked", webhookUrl: "https://evil.example" },
    "PUT /api/connections/:id/linked-record-config": {
      url: "https://evil.example",
      bodyTemplate: "{}",
      idPath: "id",
    },
    "PUT /api/teams/:id/linked-record-config": {
      url: "https://evil.example",
      bodyTemplate: "{}",
      idPath: "id",
    },
    "POST /api/conversations/:id/assign": { assigneeId: a.agentId },
    "POST /api/conversations/:id/operators": { userId: a.agentId },
    "PUT /api/conversations/:id/draft": { text: "hijack" },
    "PUT /api/conversations/:id/mute": { muted: true },
    "PUT /api/conversations/:id/important": { important: true },
    "PUT /api/conversations/:id/snooze": { preset: "hour" },
    "PUT /api/messages/:messageId/important": { important: true },
    "PUT /api/messages/:messageId/comment-visibility": { hidden: true },
    "PATCH /api/contacts/:id": { name: "Hijacked", email: "hijack@example.com" },
    "PUT /api/contacts/:id/tags/:tagId": { pinned: false },
    "PATCH /api/users/:id": { role: "supervisor", status: "disabled" },
    "PATCH /api/tags/:id": { name: "hijacked", color: "#000000" },
    "PUT /api/rules/:id": { name: "hijacked", trigger: "customer_message", actions: [{ type: "close" }] },
    "POST /api/tags/:id/merge": { into: a.tagId },
    "PATCH /api/canned-replies/:id": { text: "hijacked" },
    "PATCH /api/tasks/:id": { title: "hijacked", done: true },
    "PATCH /api/roles/:id": { name: "hijacked", permissions: ["api.manage"] },
    "PUT /api/connections/:id/credentials": { secret: "hijacked" },
    "PUT /api/connections/:id/receipt-policy": { readReceipts: false },
    "PUT /api/conversations/:id/receipt-policy": { readReceipts: false },
    "PUT /api/contacts/:id/read-tracking-consent": { granted: true },
    "PUT /api/hours/auto-replies/:connectionId": { enabled: false, language: "en", texts: {} },
    "PUT /api/hours/teams/:teamId": { timeZone: "UTC", weekly: [] },
    "PUT /api/distribution/:kind/:id": { mode: "round_robin" },
    "PUT /api/distribution/agents/:userId": { maxOpen: 5 },
    "PATCH /api/saved-filters/:id": { name: "hijacked" },
    "POST /api/connections/:id/test-message": { to: "hijack-test" },
    "PATCH /api/connections/:id": {
      name: "hijacked",
      enabled: false,
      settings: { outboundUrl: "https://evil.example" },
    },
  };
  const key = `${route.method} ${route.url}`;
  if (key in bodies) return bodies[key];
  return route.method === "GET" || route.method === "HEAD" || route.method === "DELETE" ? undefined : {};
}

const paramsOf = (url: string) =>
  [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!).filter((p) => !(p in NAME_PARAMS));

/** Every assignment of A's or B's ids to the parameters in which at least one is B's. */
function substitutions(a: Seeded, b: Seeded, route: RouteEntry): { path: string; missing: string[] }[] {
  const params = paramsOf(route.url);
  const out: { path: string; missing: string[] }[] = [];
  const named = Object.entries(NAME_PARAMS).reduce((u, [p, v]) => u.replace(`:${p}`, v), route.url);
  for (let mask = 1; mask < 1 << params.length; mask++) {
    const missing: string[] = [];
    let path = named;
    params.forEach((p, i) => {
      const w = mask & (1 << i) ? b : a;
      const id = idFor(w, route.url, p);
      if (!id) missing.push(p);
      path = path.replace(`:${p}`, id ?? `missing-${p}`);
    });
    out.push({ path, missing });
  }
  return out;
}

/** Everything of a workspace, to prove a sweep of requests changed none of it. */
async function snapshot(workspaceId: string) {
  const tables = [
    "workspaces",
    "users",
    "invitations",
    "teams",
    "contacts",
    "contact_identities",
    "channel_connections",
    "tags",
    "contact_tags",
    "conversations",
    "conversation_operators",
    "messages",
    "read_cursors",
    "drafts",
    "canned_replies",
    "tasks",
    "roles",
    "role_permissions",
    "contact_links",
    "sessions",
    "events",
    "jobs",
    "api_tokens",
    "alert_rules",
    "alerts",
    "saved_filters",
    "distribution_settings",
    "agent_distribution",
    "business_hours",
    "outside_hours_replies",
    "bots",
    "bot_sessions",
    "bot_deliveries",
    "linked_record_configs",
    "linked_records",
    "rules",
    "rule_runs",
    "telegram_user_logins",
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const column = table === "workspaces" ? "id" : "workspace_id";
    const rows = await t.db.query<{ j: string }>(
      `select to_jsonb(x)::text as j from ${table} x where x.${column} = $1 order by 1`,
      [workspaceId],
    );
    out[table] = rows.map((r) => r.j);
  }
  out.team_members = (
    await t.db.query<{ j: string }>(
      "select to_jsonb(m)::text as j from team_members m join teams tm on tm.id = m.team_id where tm.workspace_id = $1 order by 1",
      [workspaceId],
    )
  ).map((r) => r.j);
  return out;
}

/** A request as a signed-in person (cookie and CSRF header), or with an API token (`Authorization: Bearer`). */
async function send(c: Client | { token: string }, method: string, path: string, body: unknown) {
  const headers: Record<string, string> =
    "token" in c ? { authorization: `Bearer ${c.token}` } : { cookie: c.cookie! };
  if (!("token" in c) && method !== "GET" && method !== "HEAD") headers["x-csrf-token"] = c.csrf!;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(t.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const leaks = (text: string, b: Seeded) => [...ids(b), ...b.words].filter((s) => text.includes(s));

/**
 * Every route with A's and B's ids mixed, as `caller` of A: each answers 404 with the not_found code, leaks
 * nothing of B and changes nothing of B. An API token is refused on the routes only a person may call (403)
 * before anything is looked up.
 */
async function sweep(a: Seeded, b: Seeded, scoped: RouteEntry[], caller: Client | { token: string }) {
  const before = await snapshot(b.workspaceId);
  const failures: string[] = [];
  let calls = 0;
  for (const route of scoped) {
    const expected = "token" in caller && isPersonOnly(route.method, route.url, undefined) ? 403 : 404;
    for (const { path } of substitutions(a, b, route)) {
      const r = await send(caller, route.method, path, bodyFor(a, route));
      calls++;
      if (r.status !== expected) {
        failures.push(`${route.method} ${path} → ${r.status} ${r.text.slice(0, 200)}`);
        continue;
      }
      if (expected === 404 && route.method !== "HEAD" && !r.text.includes('"not_found"'))
        failures.push(`${route.method} ${path} → 404 without the not_found code: ${r.text.slice(0, 200)}`);
      const leaked = leaks(r.text, b);
      if (leaked.length) failures.push(`${route.method} ${path} leaks ${leaked.join(", ")}`);
    }
  }
  expect(failures).toEqual([]);
  expect(calls).toBeGreaterThanOrEqual(scoped.length);
  expect(await snapshot(b.workspaceId)).toEqual(before);
}

describe("workspace isolation", () => {
  it("answers 404 to every route given another workspace's ids, and changes none of its data", async () => {
    const a = await seedWorkspace("A");
    const b = await seedWorkspace("B");
    const routes = registeredRoutes(t.server.app);
    expect(routes.length).toBeGreaterThan(40);
    const withParams = routes.filter((r) => r.url.includes(":"));

    // Public routes with parameters are exactly the known ones.
    const publicOnes = withParams.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    expect(publicOnes.sort()).toEqual(Object.keys(PUBLIC_WITH_PARAMS).sort());
    const scoped = withParams.filter((r) => !r.public && isResourceRoute(r));
    // Sanity: the sweep covers the routes we know of (and any added later).
    expect(scoped.length).toBeGreaterThanOrEqual(36);

    const uncovered = scoped.flatMap((r) =>
      substitutions(a, b, r)
        .filter((s) => s.missing.length)
        .map((s) => `${r.method} ${r.url} (no id for :${s.missing.join(", :")})`),
    );
    expect(uncovered, "add the new route's resources to idFor()").toEqual([]);

    await sweep(a, b, scoped, a.owner);

    // The same requests with A's own ids do reach the handlers (the 404s above are not an artefact).
    const own = await send(a.owner, "GET", `/api/conversations/${a.conversationId}`, undefined);
    expect(own.status).toBe(200);
    const ownTags = await send(a.owner, "PUT", `/api/contacts/${a.contactId}/tags/${a.tagId}`, {
      pinned: false,
    });
    expect(ownTags.status).toBe(200);
  });

  it("answers 404 to an API token of A holding every permission, on every route given B's ids", async () => {
    const a = await seedWorkspace("A");
    const b = await seedWorkspace("B");
    const scoped = registeredRoutes(t.server.app).filter(
      (r) => r.url.includes(":") && !r.public && isResourceRoute(r),
    );
    expect(scoped.length).toBeGreaterThanOrEqual(36);
    await sweep(a, b, scoped, { token: a.apiToken });
    // The token does reach the handlers with A's own ids.
    const own = await send({ token: a.apiToken }, "GET", `/api/conversations/${a.conversationId}`, undefined);
    expect(own.status).toBe(200);
    // B's token is not revoked by A's sweep, and still works in B.
    expect((await send({ token: b.apiToken }, "GET", "/api/tags", undefined)).status).toBe(200);
  });

  it("lists none of another workspace's resources, whatever the filters", async () => {
    const a = await seedWorkspace("A");
    const b = await seedWorkspace("B");
    const enc = encodeURIComponent;
    const lists = [
      ["/api/conversations", a.conversationId],
      [`/api/conversations?connection=${b.connectionId}`, null],
      [`/api/conversations?tag=${b.tagId}`, null],
      [`/api/conversations?assignee=${b.agentId}`, null],
      [`/api/conversations?team=${b.teamId}`, null],
      ["/api/conversations?status=open,in_progress,closed", a.conversationId],
      ["/api/contacts", a.contactId],
      [`/api/contacts?q=${enc(b.words[0]!)}`, null],
      ["/api/tags", a.tagId],
      ["/api/canned-replies", a.cannedId],
      [`/api/canned-replies?q=${enc(b.words[4]!)}`, null],
      ["/api/connections", a.connectionId],
      ["/api/users", a.agentId],
      ["/api/teams", a.teamId],
      ["/api/invitations", a.invitationId],
      [`/api/conversations/${a.conversationId}/messages`, a.messageId],
      [`/api/conversations/${a.conversationId}/read-cursors`, a.ownerId],
      [`/api/log?connection=${b.connectionId}`, null],
      [`/api/log?q=${enc(b.words[0]!)}`, null],
      ["/api/exports/conversations.csv?scope=inbox", a.conversationId],
      [`/api/exports/conversations.csv?scope=inbox&connection=${b.connectionId}`, null],
      ["/api/exports/messages.csv?scope=inbox&notes=true", a.messageId],
      [`/api/exports/messages.csv?scope=inbox&tag=${b.tagId}`, null],
      [`/api/search/messages?q=${enc(b.words[1]!)}`, null],
      [`/api/search/contacts?q=${enc(b.words[0]!)}`, null],
      [`/api/search/messages?q=${enc(a.words[1]!)}`, a.messageId],
      [`/api/search/contacts?q=${enc(a.words[0]!)}`, a.conversationId],
      [`/api/conversations/unread-states?ids=${a.conversationId},${b.conversationId}`, a.conversationId],
    ] as const;
    // Every list route (GET without parameters), including ones added later, leaks nothing of B. First, before
    // A probes with B's ids below: the audit log rightly records the filters A typed.
    const listRoutes = registeredRoutes(t.server.app).filter(
      (r) =>
        r.method === "GET" &&
        !r.url.includes(":") &&
        !r.url.startsWith("/api/docs") &&
        r.url !== "/api/realtime" &&
        // The chat widget's visitor routes take a visitor token, not a session: covered by their own test below.
        !r.url.startsWith("/api/widget/") &&
        r.url !== "/widget/frame" &&
        // Answers for the conversation ids it is given, none without: probed with B's ids in `lists` above.
        r.url !== "/api/conversations/unread-states",
    );
    expect(listRoutes.length).toBeGreaterThanOrEqual(10);
    for (const route of listRoutes) {
      const r = await send(a.owner, "GET", route.url, undefined);
      expect(r.status, route.url).toBe(200);
      expect(leaks(r.text, b), route.url).toEqual([]);
    }
    for (const [path, expected] of lists) {
      const r = await send(a.owner, "GET", path, undefined);
      expect(r.status, path).toBe(200);
      expect(leaks(r.text, b), path).toEqual([]);
      if (expected) expect(r.text, path).toContain(expected);
    }
    // B's unread conversation does not count for A.
    const unread = await send(a.owner, "GET", "/api/conversations/unread-count", undefined);
    expect(JSON.parse(unread.text)).toEqual({ count: 0 });
  });

  it("refuses a webhook for B's connection signed with A's secret, and cannot attach B's tags or users", async () => {
    const a = await seedWorkspace("A");
    const b = await seedWorkspace("B");
    const before = await snapshot(b.workspaceId);
    const payload = JSON.stringify(inbound(unique("x"), "forged"));
    const forged = await fetch(`${t.url}/api/webhooks/api/${b.connectionId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-signature": signBody(a.secret, payload) },
      body: payload,
    });
    expect(forged.status).toBe(401);
    expect(await snapshot(b.workspaceId)).toEqual(before);
    // Files answer a session of their own workspace only (or a signed link).
    expect((await send(a.owner, "GET", `/api/files/${b.fileId}`, undefined)).status).toBe(404);
    expect((await send(b.owner, "GET", `/api/files/${b.fileId}`, undefined)).status).toBe(200);
    // Filters and bodies naming B's resources are refused too.
    const assignB = await send(a.owner, "POST", `/api/conversations/${a.conversationId}/assign`, {
      assigneeId: b.agentId,
    });
    expect(assignB.status).toBe(404);
    const teamB = await send(a.owner, "POST", `/api/conversations/${a.conversationId}/assign`, {
      assigneeId: a.agentId,
      teamId: b.teamId,
    });
    expect(teamB.status).toBe(404);
    const operatorB = await send(a.owner, "POST", `/api/conversations/${a.conversationId}/operators`, {
      userId: b.ownerId,
    });
    expect(operatorB.status).toBe(404);
    const quoteB = await send(a.owner, "POST", `/api/conversations/${a.conversationId}/notes`, {
      text: "quoting",
      quotedMessageId: b.messageId,
    });
    expect(quoteB.status).toBe(400);
    const readB = await send(a.owner, "POST", `/api/conversations/${a.conversationId}/read`, {
      upToMessageId: b.messageId,
    });
    expect(readB.status).toBe(400);
    const [aConv] = await t.db.query<{ assignee_id: string | null; team_id: string | null }>(
      "select assignee_id, team_id from conversations where id = $1",
      [a.conversationId],
    );
    expect(aConv).toEqual({ assignee_id: null, team_id: null });
    expect(await snapshot(b.workspaceId)).toEqual(before);
  });

  it("chat widget visitor routes: a visitor token sees only its own conversation, never another workspace's", async () => {
    const a = await seedWorkspace("A");
    const b = await seedWorkspace("B");
    const site = "https://site.example";
    const widget = async (owner: Client) =>
      (
        await owner.post("/api/connections", {
          type: "widget",
          name: "Site",
          settings: { allowedOrigins: [site] },
        })
      ).body.connection.id as string;
    const [wa, wb] = [await widget(a.owner), await widget(b.owner)];
    const visitor = async (connection: string, token?: string) => {
      const r = await fetch(`${t.url}/api/widget/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: t.url },
        body: JSON.stringify({ connection, token, page: { origin: site } }),
      });
      expect(r.status).toBe(200);
      return (await r.json()) as {
        token: string;
        messages: { text: string }[];
        conversationId: string | null;
      };
    };
    const va = await visitor(wa);
    const vb = await visitor(wb);
    const write = (token: string, text: string) =>
      fetch(`${t.url}/api/widget/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ clientId: unique("c").replace(/[^\w-]/g, "_"), text }),
      });
    expect((await write(vb.token, `B only ${b.words[0]}`)).status).toBe(200);
    expect((await write(va.token, "A here")).status).toBe(200);
    const mine = await fetch(`${t.url}/api/widget/messages`, {
      headers: { authorization: `Bearer ${va.token}` },
    });
    const text = await mine.text();
    expect(text).toContain("A here");
    expect(leaks(text, b)).toEqual([]);
    // A's token on B's widget starts a new, empty visitor of B: it never resumes someone else's conversation.
    const crossed = await visitor(wb, va.token);
    expect(crossed.token).not.toBe(va.token);
    expect(crossed.messages).toEqual([]);
    // An agent's session is not a visitor token.
    expect((await send(a.owner, "GET", "/api/widget/messages", undefined)).status).toBe(401);
  });
});
