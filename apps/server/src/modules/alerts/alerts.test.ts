import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { startSmtpSink } from "../../testing/fakes/email";
import {
  addUser,
  apiConnection,
  type Client,
  inbound,
  newWorkspace,
  PASSWORD,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { recordAudit } from "../audit/record";

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  smtp = await startSmtpSink({ notifier: "smtp-pass" });
});
afterAll(async () => {
  await smtp.close();
});

const clock = new MovableClock();
// Addresses come from X-Forwarded-For; SIGNIN_RATE_LIMIT is 5 in tests.
const t = useTestServer(() => ({
  clock,
  env: {
    TRUST_PROXY: "true",
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMTP_USER: "notifier",
    SMTP_PASSWORD: "smtp-pass",
    SMTP_FROM: "Parley <parley@example.com>",
  },
}));

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
let addresses = 0;
const newAddress = () => `198.51.100.${++addresses % 250}`;

async function signIn(email: string, password: string, ip = newAddress(), agent = "node") {
  const res = await fetch(`${t.url}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip, "user-agent": agent },
    body: JSON.stringify({ email, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

interface AlertOut {
  id: string;
  rule: string;
  key: string;
  subject: string;
  count: number;
  details: Record<string, unknown>;
  acknowledgedAt: string | null;
  acknowledgedBy: { id: string; name: string } | null;
}

async function alerts(client: Client, rule: string, status = "all"): Promise<AlertOut[]> {
  const r = await client.get(`/api/alerts?status=${status}&limit=100`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.alerts as AlertOut[]).filter((a) => a.rule === rule);
}

async function setRule(client: Client, rule: string, patch: Record<string, unknown>) {
  const r = await client.patch(`/api/alerts/rules/${rule}`, patch);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.rule;
}

/** Writes an audit entry through the one writer, as a command would. */
async function audit(workspaceId: string, userId: string | null, action: string, data: unknown, ip?: string) {
  await t.server.ctx.db.tx((q) =>
    recordAudit(q, {
      workspaceId,
      userId,
      action,
      targetType: "test",
      data,
      ip: ip ?? null,
      at: clock.now(),
    }),
  );
}

async function auditRows(workspaceId: string, action: string) {
  return t.server.ctx.db.query<{ user_id: string | null; ip: string | null; data: Record<string, unknown> }>(
    "select user_id, ip, data from audit_log where workspace_id = $1 and action = $2 order by id",
    [workspaceId, action],
  );
}

async function workspace() {
  const { owner, workspaceId } = await newWorkspace(t);
  const adminName = unique("alma");
  const admin = { ...(await addUser(t, owner, "admin", adminName)), email: `${adminName}@example.com` };
  const agentName = unique("arno");
  const agent = { ...(await addUser(t, owner, "agent", agentName)), email: `${agentName}@example.com` };
  return { owner, workspaceId, admin, agent };
}

const notificationsOf = async (client: Client) =>
  (
    (await client.get("/api/notifications?limit=100")).body.notifications as { kind: string; title: string }[]
  ).filter((n) => n.kind === "security_alert");

describe("sign-in entries", () => {
  it("records sign-ins and failures (wrong password, rate-limited) with the address, agent and account", async () => {
    const { workspaceId, agent } = await workspace();
    expect(await signIn(agent.email, PASSWORD, "192.0.2.10", FIREFOX)).toBe(200);
    const ins = await auditRows(workspaceId, "auth.sign_in");
    expect(ins.at(-1)).toMatchObject({ user_id: agent.id, ip: "192.0.2.10", data: { userAgent: FIREFOX } });

    for (let i = 0; i < 6; i++) await signIn(agent.email, "wrong", "192.0.2.11", FIREFOX);
    const failed = await auditRows(workspaceId, "auth.sign_in_failed");
    expect(failed).toHaveLength(6);
    expect(failed[0]).toMatchObject({
      user_id: agent.id,
      ip: "192.0.2.11",
      data: { email: agent.email, reason: "wrong_password", userAgent: FIREFOX },
    });
    // The sixth attempt from that address was refused by the limiter: recorded as well.
    expect(failed[5]!.data.reason).toBe("rate_limited");
  });
});

describe("alert rules", () => {
  it("failed sign-ins for one account: nothing below the threshold, one alert for the burst, another after the window", async () => {
    const { owner, admin, agent } = await workspace();
    for (let i = 0; i < 4; i++) expect(await signIn(agent.email, "wrong")).toBe(401);
    expect(await alerts(owner, "sign_in_failures_account")).toHaveLength(0);
    expect(await signIn(agent.email, "wrong")).toBe(401);
    for (let i = 0; i < 3; i++) await signIn(agent.email, "wrong");
    const [one, ...more] = await alerts(owner, "sign_in_failures_account");
    expect(more).toHaveLength(0);
    expect(one).toMatchObject({ key: agent.email, subject: agent.email, count: 8 });

    // Reaches the admins in the app and by email, not the agent.
    await eventually(async () => expect(await notificationsOf(admin.client)).toHaveLength(1));
    expect((await notificationsOf(owner))[0]!.title).toBe(agent.email);
    await eventually(() =>
      smtp.mails.some((m) => m.to.includes(admin.email) && /failed sign-ins/.test(m.raw)),
    );
    expect(await notificationsOf(agent.client)).toHaveLength(0);

    clock.advance(16 * 60_000);
    for (let i = 0; i < 4; i++) await signIn(agent.email, "wrong");
    expect(await alerts(owner, "sign_in_failures_account")).toHaveLength(1);
    await signIn(agent.email, "wrong");
    expect(await alerts(owner, "sign_in_failures_account")).toHaveLength(2);
  });

  it("failed sign-ins from one address; a threshold edit applies to the next attempt", async () => {
    const { owner, admin, agent } = await workspace();
    const ip = newAddress();
    await signIn(agent.email, "wrong", ip);
    await signIn(admin.email, "wrong", ip);
    expect(await alerts(owner, "sign_in_failures_address")).toHaveLength(0);
    expect(await setRule(owner, "sign_in_failures_address", { threshold: 3 })).toMatchObject({
      threshold: 3,
      windowMinutes: 15,
      enabled: true,
      defaults: { threshold: 20 },
    });
    await signIn(owner.user!.email, "wrong", ip);
    const [a] = await alerts(owner, "sign_in_failures_address");
    expect(a).toMatchObject({ key: ip, count: 3 });
    // Switched off: a burst from another address raises nothing.
    await setRule(owner, "sign_in_failures_address", { enabled: false });
    const other = newAddress();
    for (let i = 0; i < 4; i++) await signIn(agent.email, "wrong", other);
    expect(await alerts(owner, "sign_in_failures_address")).toHaveLength(1);
  });

  it("new device and address: not on a first sign-in, not for a known device or address, once for both new", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const name = unique("nina");
    const email = `${name}@example.com`;
    await t.server.ctx.db.query(
      "insert into users (workspace_id, email, name, role, password_hash) select $1, $2, $3, 'agent', password_hash from users where id = $4",
      [workspaceId, email, name, owner.user!.id],
    );
    expect(await signIn(email, PASSWORD, "192.0.2.50", FIREFOX)).toBe(200);
    expect(await signIn(email, PASSWORD, "192.0.2.51", FIREFOX)).toBe(200); // known device
    expect(await signIn(email, PASSWORD, "192.0.2.50", SAFARI)).toBe(200); // known address
    const mine = async () => (await alerts(owner, "new_device")).filter((a) => a.subject.includes(email));
    expect(await mine()).toHaveLength(0);
    expect(
      await signIn(email, PASSWORD, "192.0.2.99", "Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537"),
    ).toBe(200);
    const [a, ...more] = await mine();
    expect(more).toHaveLength(0);
    expect(a!.details).toMatchObject({ device: "Chrome on Windows", ip: "192.0.2.99" });
  });

  it("a large export: below the threshold nothing, at it one alert", async () => {
    const { owner } = await workspace();
    const conn = await apiConnection(t, owner);
    for (let i = 0; i < 3; i++) await conn.post(inbound(unique("c"), "hello"));
    await setRule(owner, "large_export", { threshold: 4 });
    const csv = await owner.get("/api/exports/messages.csv?scope=inbox");
    expect(csv.status).toBe(200);
    // Three messages: below four.
    await eventually(async () => {
      const [row] = await t.server.ctx.db.query<{ rows: number | null }>(
        "select (data->>'rows')::int as rows from audit_log where workspace_id = $1 and action = 'export.finished'",
        [owner.workspaceId],
      );
      expect(row?.rows).toBe(3);
      return true;
    });
    expect(await alerts(owner, "large_export")).toHaveLength(0);
    await setRule(owner, "large_export", { threshold: 3 });
    expect((await owner.get("/api/exports/messages.csv?scope=inbox")).status).toBe(200);
    const [a] = await eventually(async () => {
      const list = await alerts(owner, "large_export");
      return list.length ? list : null;
    });
    expect(a!.details).toMatchObject({ action: "export.finished", rows: 3 });
  });

  it("erasing a second contact within the window raises one alert", async () => {
    const { owner } = await workspace();
    const conn = await apiConnection(t, owner);
    const contacts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await conn.post(inbound(unique("c"), "hello"));
      const [row] = await t.server.ctx.db.query<{ contact_id: string }>(
        "select contact_id from conversations where id = $1",
        [r.body.results[0].conversationId],
      );
      contacts.push(row!.contact_id);
    }
    expect((await owner.delete(`/api/contacts/${contacts[0]}/data`)).status).toBe(200);
    expect(await alerts(owner, "mass_erasure")).toHaveLength(0);
    expect((await owner.delete(`/api/contacts/${contacts[1]}/data`)).status).toBe(200);
    expect((await owner.delete(`/api/contacts/${contacts[2]}/data`)).status).toBe(200);
    const [a, ...more] = await alerts(owner, "mass_erasure");
    expect(more).toHaveLength(0);
    expect(a).toMatchObject({ key: owner.user!.id, count: 3 });
  });

  it("many conversations deleted: below nothing, one alert for the burst, again after the window", async () => {
    const { owner } = await workspace();
    const conn = await apiConnection(t, owner);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await conn.post(inbound(unique("c"), "hi"))).body.results[0].conversationId);
    await setRule(owner, "mass_deletion", { threshold: 3, windowMinutes: 10 });
    for (const id of ids.slice(0, 2))
      expect((await owner.delete(`/api/conversations/${id}`)).status).toBe(204);
    expect(await alerts(owner, "mass_deletion")).toHaveLength(0);
    expect((await owner.delete(`/api/conversations/${ids[2]}`)).status).toBe(204);
    const ws = owner.workspaceId!;
    await audit(ws, owner.user!.id, "conversation.deleted", { count: 1 });
    expect(await alerts(owner, "mass_deletion")).toMatchObject([{ count: 4 }]);
    clock.advance(11 * 60_000);
    for (let i = 0; i < 2; i++) await audit(ws, owner.user!.id, "conversation.deleted", { count: 1 });
    expect(await alerts(owner, "mass_deletion")).toHaveLength(1);
    await audit(ws, owner.user!.id, "conversation.deleted", { count: 1 });
    expect(await alerts(owner, "mass_deletion")).toHaveLength(2);
  });

  it("an API token used from a new address: one alert per token and window", async () => {
    const { owner } = await workspace();
    const ws = owner.workspaceId!;
    const token = { tokenId: unique("tok"), name: "CRM sync" };
    await audit(ws, null, "api_token.new_address", { ...token, ip: "203.0.113.7" }, "203.0.113.7");
    await audit(ws, null, "api_token.new_address", { ...token, ip: "203.0.113.8" }, "203.0.113.8");
    const [a, ...more] = await alerts(owner, "api_token_new_address");
    expect(more).toHaveLength(0);
    expect(a).toMatchObject({ key: token.tokenId, count: 2, subject: "CRM sync (203.0.113.7)" });
    await audit(ws, null, "api_token.new_address", {
      tokenId: unique("tok"),
      name: "Other",
      ip: "203.0.113.9",
    });
    expect(await alerts(owner, "api_token_new_address")).toHaveLength(2);
  });
});

describe("alerts API", () => {
  it("acknowledging records who and when; agents neither see, acknowledge nor edit", async () => {
    const { owner, admin, agent } = await workspace();
    const ws = owner.workspaceId!;
    for (const ip of ["203.0.113.20", "203.0.113.21"])
      await audit(ws, null, "api_token.new_address", { tokenId: unique("tok"), name: "T", ip });
    const open = await owner.get("/api/alerts?status=open&limit=1");
    expect(open.body).toMatchObject({ open: 2 });
    expect(open.body.alerts).toHaveLength(1);
    const second = await owner.get(`/api/alerts?status=open&limit=1&before=${open.body.nextBefore}`);
    expect(second.body.alerts).toHaveLength(1);
    expect(second.body.alerts[0].id).not.toBe(open.body.alerts[0].id);
    const id = open.body.alerts[0].id as string;

    expect((await agent.client.get("/api/alerts")).status).toBe(403);
    const refused = await agent.client.post(`/api/alerts/${id}/acknowledge`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/audit\.view/);
    expect((await agent.client.patch("/api/alerts/rules/new_device", { enabled: false })).status).toBe(403);

    const ack = await admin.client.post(`/api/alerts/${id}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.body.alert).toMatchObject({
      acknowledgedBy: { id: admin.id },
      acknowledgedAt: expect.any(String),
    });
    // Again: the first acknowledgement stays, and no second entry.
    expect((await owner.post(`/api/alerts/${id}/acknowledge`)).body.alert.acknowledgedBy.id).toBe(admin.id);
    const entries = await auditRows(ws, "alert.acknowledged");
    expect(entries).toEqual([expect.objectContaining({ user_id: admin.id })]);
    expect((await owner.get("/api/alerts?status=open")).body.open).toBe(1);
    expect(
      (await owner.get("/api/alerts?status=acknowledged")).body.alerts.map((a: AlertOut) => a.id),
    ).toEqual([id]);
    expect(await auditRows(ws, "alert.raised")).toHaveLength(2);
  });

  it("refuses bad rule settings with a message, and unknown rules", async () => {
    const { owner } = await workspace();
    const zero = await owner.patch("/api/alerts/rules/mass_deletion", { threshold: 0 });
    expect(zero.status).toBe(400);
    expect(JSON.stringify(zero.body)).toMatch(/at least 1/);
    expect((await owner.patch("/api/alerts/rules/mass_deletion", {})).status).toBe(400);
    expect((await owner.patch("/api/alerts/rules/nope", { enabled: true })).status).toBe(400);
    const rules = (await owner.get("/api/alerts/rules")).body.rules as { rule: string }[];
    expect(rules.map((r) => r.rule)).toContain("api_token_new_address");
  });
});
