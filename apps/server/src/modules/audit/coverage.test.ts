import { describe, expect, it } from "vitest";
import { apiConnection, Client, newWorkspace, PASSWORD, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

/** The newest entry of an action, as the audit page shows it. */
async function latest(owner: Client, action: string) {
  const r = await owner.get(`/api/audit?action=${encodeURIComponent(action)}&limit=1`);
  expect(r.status).toBe(200);
  return r.body.entries[0];
}

describe("what the audit log records", () => {
  it("invitations accepted and revoked, with who, from where and the user agent", async () => {
    const { owner } = await newWorkspace(t);
    const email = `${unique("invitee")}@example.com`;
    const inv = await owner.post("/api/invitations", { email, role: "agent" });
    const token = String(inv.body.acceptUrl).split("/invite/")[1]!;
    const accepted = await new Client(t.url).request(
      "POST",
      "/api/invitations/accept",
      { token, name: "New Agent", password: PASSWORD },
      { "user-agent": "InviteeBrowser/2.0" },
    );
    expect(accepted.status).toBe(201);
    expect(await latest(owner, "invitation.accepted")).toMatchObject({
      user: { id: accepted.body.user.id },
      targetType: "invitation",
      ip: "127.0.0.1",
      userAgent: "InviteeBrowser/2.0",
      data: { email, role: "agent" },
    });
    const other = await owner.post("/api/invitations", {
      email: `${unique("x")}@example.com`,
      role: "agent",
    });
    expect((await owner.delete(`/api/invitations/${other.body.invitation.id}`)).status).toBe(204);
    expect(await latest(owner, "invitation.revoked")).toMatchObject({
      user: { id: owner.user!.id },
      targetId: other.body.invitation.id,
    });
  });

  it("connection settings and receipt policy changes with before and after", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    expect((await owner.patch(`/api/connections/${conn.id}`, { name: "Shop" })).status).toBe(200);
    const changed = await latest(owner, "connection.settings_changed");
    expect(changed.targetId).toBe(conn.id);
    expect(changed.data.after).toEqual({ name: "Shop" });
    expect(Object.keys(changed.data.before)).toEqual(["name"]);
    expect(JSON.stringify(changed.data)).not.toMatch(/secret/i);

    const was = (await owner.get("/api/receipts/settings")).body.settings.readReceipts as boolean;
    expect((await owner.patch("/api/receipts/settings", { readReceipts: !was })).status).toBe(200);
    const receipts = await latest(owner, "receipts.settings_updated");
    expect(receipts.data.before.readReceipts).toBe(was);
    expect(receipts.data.after.readReceipts).toBe(!was);

    expect((await owner.patch("/api/workspace", { name: "Renamed" })).status).toBe(200);
    const ws = await latest(owner, "workspace.updated");
    expect(ws.data).toMatchObject({ after: { name: "Renamed" } });
    expect(ws.data.before.name).not.toBe("Renamed");
  });
});
