import { describe, expect, it } from "vitest";
import { type Actor, type ConversationAccess, canReceive, conversationPolicy } from "./permissions";

const ws = "w1";
const agent = (userId: string, teamIds: string[] = []): Actor => ({
  userId,
  workspaceId: ws,
  role: "agent",
  teamIds,
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
    const sup: Actor = { userId: "s", workspaceId: ws, role: "supervisor", teamIds: [] };
    const admin: Actor = { userId: "x", workspaceId: ws, role: "admin", teamIds: [] };
    expect(conversationPolicy(sup, conv({ assigneeId: "b" }))).toMatchObject({
      read: true,
      reply: true,
      assign: true,
      delete: false,
    });
    expect(conversationPolicy(admin, conv({ assigneeId: "b" })).delete).toBe(true);
  });

  it("denies everything across workspaces", () => {
    const other: Actor = { userId: "x", workspaceId: "w2", role: "owner", teamIds: [] };
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
});
