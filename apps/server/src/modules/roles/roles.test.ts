import { describe, expect, it } from "vitest";
import {
  addUser,
  apiConnection,
  Client,
  inbound,
  newWorkspace,
  PASSWORD,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

const auditOf = (workspaceId: string, action: string) =>
  t.db.query<{ target_id: string; user_id: string; data: { before: unknown; after: unknown } }>(
    "select target_id, user_id, data from audit_log where workspace_id = $1 and action = $2 order by id",
    [workspaceId, action],
  );

const permissionsOf = async (c: Client) => (await c.get("/api/auth/session")).body.permissions as string[];
const roleOf = async (owner: Client, id: string) =>
  (
    (await owner.get("/api/roles")).body.roles as { id: string; permissions: string[]; members: number }[]
  ).find((r) => r.id === id);

describe("roles and permissions", () => {
  it("lists the built-in roles with their defaults; owners' and admins' cannot change; non-managers get 403 naming the permission", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const list = await owner.get("/api/roles");
    expect(list.status).toBe(200);
    expect(list.body.roles.map((r: { id: string }) => r.id)).toEqual([
      "owner",
      "admin",
      "supervisor",
      "agent",
    ]);
    expect(list.body.roles[3]).toMatchObject({
      builtIn: true,
      locked: false,
      members: 1,
      permissions: ["conversations.reply", "conversations.bulk"],
    });
    expect(list.body.roles[0]).toMatchObject({ locked: true, members: 1 });

    const refused = await agent.client.get("/api/roles");
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      "You need the “Manage people and roles” permission (people.manage).",
    );
    const edit = await agent.client.patch("/api/roles/agent", { permissions: [] });
    expect(edit.status).toBe(403);
    expect(edit.body.error.message).toContain("(people.manage)");

    const locked = await owner.patch("/api/roles/admin", { permissions: [] });
    expect(locked.status).toBe(403);
    expect(locked.body.error.message).toContain("cannot be changed");
  });

  it("an agent given data.export can export, with an audit entry; taking it back refuses again, naming it", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const exportCsv = () => agent.client.get("/api/exports/conversations.csv?scope=inbox");

    const before = await exportCsv();
    expect(before.status).toBe(403);
    expect(before.body.error.message).toBe("You need the “Export data” permission (data.export).");

    const granted = ["conversations.reply", "conversations.bulk", "data.export"];
    const r = await owner.patch("/api/roles/agent", { permissions: ["data.export", ...granted] });
    expect(r.status).toBe(200);
    expect(r.body.role.permissions).toEqual(granted);
    expect(await permissionsOf(agent.client)).toEqual(granted);
    expect((await exportCsv()).status).toBe(200);

    const [entry] = await auditOf(workspaceId, "role.updated");
    expect(entry).toMatchObject({
      target_id: "agent",
      user_id: owner.user!.id,
      data: {
        before: { permissions: ["conversations.reply", "conversations.bulk"] },
        after: { permissions: granted },
      },
    });

    expect((await owner.patch("/api/roles/agent", { permissions: ["conversations.reply"] })).status).toBe(
      200,
    );
    expect((await exportCsv()).status).toBe(403);
  });

  it("a supervisor without conversations.reply gets 403 naming it when replying; notes still work", async () => {
    const { owner } = await newWorkspace(t);
    const supervisor = await addUser(t, owner, "supervisor");
    const conn = await apiConnection(t, owner);
    const posted = await conn.post(inbound(unique("c"), "hello"));
    const conversationId = posted.body.results[0].conversationId;

    const without = (await roleOf(owner, "supervisor"))!.permissions.filter(
      (p) => p !== "conversations.reply",
    );
    expect((await owner.patch("/api/roles/supervisor", { permissions: without })).status).toBe(200);

    const reply = await supervisor.client.post(`/api/conversations/${conversationId}/messages`, {
      text: "hi",
    });
    expect(reply.status).toBe(403);
    expect(reply.body.error.message).toBe(
      "You need the “Reply to customers” permission (conversations.reply).",
    );
    const note = await supervisor.client.post(`/api/conversations/${conversationId}/notes`, { text: "fyi" });
    expect(note.status).toBe(201);
  });

  it("a custom role: created, assigned instead of the built-in rights, shown on the person, deletion refused while held", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const name = unique("Exporter");
    const created = await owner.post("/api/roles", {
      name,
      base: "agent",
      permissions: ["data.export", "conversations.reply"],
    });
    expect(created.status).toBe(201);
    const role = created.body.role;
    expect(role).toMatchObject({ name, base: "agent", builtIn: false, members: 0 });
    expect(role.permissions).toEqual(["conversations.reply", "data.export"]);
    const taken = await owner.post("/api/roles", {
      name: name.toUpperCase(),
      base: "agent",
      permissions: [],
    });
    expect(taken.status).toBe(409);

    const assigned = await owner.patch(`/api/users/${agent.id}`, { customRoleId: role.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.user).toMatchObject({ role: "agent", customRole: { id: role.id, name } });
    expect(await permissionsOf(agent.client)).toEqual(["conversations.reply", "data.export"]);
    const users = (await owner.get("/api/users")).body.users as { id: string; customRole: unknown }[];
    expect(users.find((u) => u.id === agent.id)?.customRole).toEqual({ id: role.id, name });
    expect((await roleOf(owner, role.id))?.members).toBe(1);
    expect((await roleOf(owner, "agent"))?.members).toBe(0);
    const [userEntry] = await auditOf(workspaceId, "user.updated");
    expect(userEntry?.data).toEqual({
      before: { role: "agent", customRoleId: null, status: "active" },
      after: { role: "agent", custom_role_id: role.id },
    });

    const renamed = await owner.patch(`/api/roles/${role.id}`, {
      name: `${name} 2`,
      permissions: ["data.export"],
    });
    expect(renamed.status).toBe(200);
    expect(await permissionsOf(agent.client)).toEqual(["data.export"]);

    const refused = await owner.delete(`/api/roles/${role.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("1 person holds the role");
    const moved = await owner.delete(`/api/roles/${role.id}?moveTo=agent`);
    expect(moved.status).toBe(204);
    expect(await permissionsOf(agent.client)).toEqual(["conversations.reply", "conversations.bulk"]);
    expect((await owner.get("/api/roles")).body.roles).toHaveLength(4);

    const actions = await t.db.query<{ action: string }>(
      "select action from audit_log where workspace_id = $1 and action like 'role.%' order by id",
      [workspaceId],
    );
    expect(actions.map((a) => a.action)).toEqual(["role.created", "role.updated", "role.deleted"]);
    const [deleted] = await auditOf(workspaceId, "role.deleted");
    expect(deleted?.data).toMatchObject({
      before: { name: `${name} 2`, base: "agent", permissions: ["data.export"] },
      after: null,
      movedTo: "agent",
      userIds: [agent.id],
    });
  });

  it("an invitation gives a custom role: the person joins holding it", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const name = unique("Exporter");
    const role = (
      await owner.post("/api/roles", {
        name,
        base: "agent",
        permissions: ["conversations.reply", "data.export"],
      })
    ).body.role;
    const email = `${unique("invitee")}@example.com`;
    const invited = await owner.post("/api/invitations", { email, customRoleId: role.id });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect(invited.body.invitation).toMatchObject({ role: "agent", customRole: { id: role.id, name } });
    const listed = (await owner.get("/api/invitations")).body.invitations;
    expect(listed[0]).toMatchObject({ email, customRole: { id: role.id, name } });
    const [audit] = await t.db.query<{ data: any }>(
      "select data from audit_log where workspace_id = $1 and action = 'invitation.created'",
      [workspaceId],
    );
    expect(audit!.data).toEqual({ email, role: "agent", customRoleId: role.id });

    const invitee = new Client(t.url);
    const token = invited.body.acceptUrl.split("/invite/")[1];
    const accepted = await invitee.post("/api/invitations/accept", {
      token,
      name: "Exporter",
      password: PASSWORD,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body.user).toMatchObject({ role: "agent", customRole: { id: role.id, name } });
    expect(accepted.body.permissions).toEqual(["conversations.reply", "data.export"]);
    expect((await roleOf(owner, role.id))?.members).toBe(1);

    // Refused: both kinds at once, neither, an unknown or another workspace's role.
    const other = await newWorkspace(t);
    const foreign = (await other.owner.post("/api/roles", { name, base: "agent", permissions: [] })).body
      .role;
    const again = (body: object) =>
      owner.post("/api/invitations", { email: `${unique("x")}@example.com`, ...body });
    expect((await again({ role: "agent", customRoleId: role.id })).status).toBe(400);
    expect((await again({})).status).toBe(400);
    expect((await again({ customRoleId: crypto.randomUUID() })).status).toBe(404);
    expect((await again({ customRoleId: foreign.id })).status).toBe(404);
  });

  it("an inviter gives no custom role with rights they do not hold", async () => {
    const { owner } = await newWorkspace(t);
    const supervisor = await addUser(t, owner, "supervisor");
    const current = (await roleOf(owner, "supervisor"))!.permissions;
    await owner.patch("/api/roles/supervisor", { permissions: [...current, "people.manage"] });
    const role = (
      await owner.post("/api/roles", { name: unique("Keys"), base: "agent", permissions: ["api.manage"] })
    ).body.role;
    const refused = await supervisor.client.post("/api/invitations", {
      email: `${unique("x")}@example.com`,
      customRoleId: role.id,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("api.manage");
  });

  it("nobody changes the role they hold, nor grants a right they do not hold", async () => {
    const { owner } = await newWorkspace(t);
    const supervisor = await addUser(t, owner, "supervisor");
    const agent = await addUser(t, owner, "agent");
    const current = (await roleOf(owner, "supervisor"))!.permissions;
    expect(
      (await owner.patch("/api/roles/supervisor", { permissions: [...current, "people.manage"] })).status,
    ).toBe(200);

    const own = await supervisor.client.patch("/api/roles/supervisor", { permissions: [] });
    expect(own.status).toBe(403);
    expect(own.body.error.message).toContain("the role you hold yourself");
    const grant = await supervisor.client.patch("/api/roles/agent", {
      permissions: ["conversations.reply", "api.manage"],
    });
    expect(grant.status).toBe(403);
    expect(grant.body.error.message).toBe(
      "You cannot grant the “Manage API access” permission (api.manage): you do not hold it.",
    );
    // Rights they hold themselves they may hand out.
    const ok = await supervisor.client.patch("/api/roles/agent", { permissions: ["data.export"] });
    expect(ok.status).toBe(200);
    const self = await supervisor.client.patch(`/api/users/${supervisor.id}`, { role: "agent" });
    expect(self.status).toBe(403);
    const admin = await supervisor.client.patch(`/api/users/${agent.id}`, { role: "admin" });
    expect(admin.status).toBe(403);
  });
});
