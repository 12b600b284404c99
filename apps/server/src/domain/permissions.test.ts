import { describe, expect, it } from "vitest";
import {
  type Actor,
  type ConversationAccess,
  canReceive,
  conversationPolicy,
  permissionsFor,
} from "./permissions";

const ws = "w1";
const agent = (userId: string, teamIds: string[] = []): Actor => ({
  userId,
  workspaceId: ws,
  role: "agent",
  teamIds,
  permissions: permissionsFor("agent"),
});
const conv = (c: Partial<ConversationAccess>): ConversationAccess => ({
  workspaceId: ws,
  assigneeId: null,
  operatorIds: [],
  teamId: null,
  ...c,
});

describe("conversation policy", () => {
  it("lets an agent see the queue, their own and those they operate, but not a colleague's", () => {
    expect(conversationPolicy(agent("a"), conv({})).read).toBe(true);
    expect(conversationPolicy(agent("a"), conv({ assigneeId: "a" })).reply).toBe(true);
    expect(conversationPolicy(agent("a"), conv({ assigneeId: "b", operatorIds: ["a"] })).reply).toBe(true);
    expect(conversationPolicy(agent("a"), conv({ assigneeId: "b" }))).toMatchObject({
      read: false,
      reply: false,
      note: false,
    });
  });

  it("limits a team's queue to its members", () => {
    expect(conversationPolicy(agent("a", ["t1"]), conv({ teamId: "t1" })).read).toBe(true);
    expect(conversationPolicy(agent("a", ["t2"]), conv({ teamId: "t1" })).read).toBe(false);
  });

  it("lets managers handle everything and only admins delete", () => {
    const sup: Actor = {
      userId: "s",
      workspaceId: ws,
      role: "supervisor",
      teamIds: [],
      permissions: permissionsFor("supervisor"),
    };
    const admin: Actor = {
      userId: "x",
      workspaceId: ws,
      role: "admin",
      teamIds: [],
      permissions: permissionsFor("admin"),
    };
    expect(conversationPolicy(sup, conv({ assigneeId: "b" }))).toMatchObject({
      read: true,
      reply: true,
      assign: true,
      delete: false,
    });
    expect(conversationPolicy(admin, conv({ assigneeId: "b" })).delete).toBe(true);
  });

  it("decides by the named rights, whatever the role", () => {
    const wide: Actor = { ...agent("a"), permissions: ["conversations.view_all", "conversations.reply"] };
    expect(conversationPolicy(wide, conv({ assigneeId: "b" }))).toMatchObject({ read: true, reply: true });
    const readOnly: Actor = { ...agent("a"), role: "supervisor", permissions: ["conversations.view_all"] };
    expect(conversationPolicy(readOnly, conv({ assigneeId: "b" }))).toMatchObject({
      read: true,
      reply: false,
      delete: false,
    });
    const deleter: Actor = { ...agent("a"), permissions: ["conversations.delete"] };
    expect(conversationPolicy(deleter, conv({ assigneeId: "a" })).delete).toBe(true);
    expect(conversationPolicy(deleter, conv({ assigneeId: "b" })).delete).toBe(false);
  });

  it("gives owners and admins every right and others what was stored, dropping unknown names", () => {
    expect(permissionsFor("admin", [])).toContain("audit.view");
    expect(permissionsFor("agent")).toEqual(["conversations.reply", "conversations.bulk"]);
    expect(permissionsFor("agent", ["reports.view", "no.such"])).toEqual(["reports.view"]);
  });

  it("denies everything across workspaces", () => {
    const other: Actor = {
      userId: "x",
      workspaceId: "w2",
      role: "owner",
      teamIds: [],
      permissions: permissionsFor("owner"),
    };
    expect(Object.values(conversationPolicy(other, conv({})))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("sends an assignment event to the agent who just lost the conversation", () => {
    const audience = { conversation: { ...conv({ assigneeId: "b" }), previousAssigneeId: "a" } };
    expect(canReceive(agent("a"), audience)).toBe(true);
    expect(canReceive(agent("c"), audience)).toBe(false);
  });

  it("lets an event through exactly when its conversation may be read, for every kind of actor and conversation", () => {
    const actors: Actor[] = [
      agent("a"),
      agent("a", ["t1"]),
      agent("a", ["t2"]),
      { ...agent("m"), role: "supervisor", permissions: permissionsFor("supervisor") },
      { ...agent("o"), role: "owner", permissions: permissionsFor("owner") },
      { ...agent("a"), workspaceId: "w2" },
    ];
    const conversations = [null, "t1"].flatMap((teamId) =>
      [null, "a", "b"].flatMap((assigneeId) =>
        [[], ["a"], ["b"]].map((operatorIds) => conv({ teamId, assigneeId, operatorIds })),
      ),
    );
    let readable = 0;
    for (const actor of actors)
      for (const c of conversations) {
        const read = conversationPolicy(actor, c).read;
        if (read) readable++;
        expect(canReceive(actor, { conversation: c }), JSON.stringify({ actor, c })).toBe(read);
      }
    // Both answers occur.
    expect(readable).toBeGreaterThan(0);
    expect(readable).toBeLessThan(actors.length * conversations.length);
  });
});
