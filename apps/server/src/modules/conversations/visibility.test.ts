import type { Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  type Actor,
  conversationPolicy,
  permissionsFor,
  readableConversationsSql,
} from "../../domain/permissions";
import { paramsOf } from "../../lib/sql-params";
import { apiConnection, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

describe("the conversation read rule", () => {
  it("is the same in SQL as in the policy, for every actor and conversation of a table", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const q = t.db.query.bind(t.db);
    const user = async (role: Role) =>
      (
        await q<{ id: string }>(
          "insert into users (workspace_id, email, name, role) values ($1, $2, $3, $4) returning id",
          [workspaceId, `${unique(role)}@example.com`, unique(role), role],
        )
      )[0]!.id;
    const team = async () =>
      (
        await q<{ id: string }>("insert into teams (workspace_id, name) values ($1, $2) returning id", [
          workspaceId,
          unique("team"),
        ])
      )[0]!.id;
    const [a, b, c, s, x] = [
      await user("agent"),
      await user("agent"),
      await user("agent"),
      await user("supervisor"),
      await user("admin"),
    ];
    const [t1, t2] = [await team(), await team()];
    const actor = (userId: string, role: Role, teamIds: string[]): Actor => ({
      userId,
      workspaceId,
      role,
      teamIds,
      permissions: permissionsFor(role),
    });
    const actors = [
      actor(a, "agent", [t1]),
      actor(b, "agent", []),
      actor(c, "agent", [t1, t2]),
      actor(s, "supervisor", []),
      actor(x, "admin", [t2]),
    ];

    // Conversations: [assignee, team, operators].
    const shapes: [string | null, string | null, string[]][] = [
      [null, null, []],
      [null, t1, []],
      [null, t2, []],
      [a, null, []],
      [b, null, []],
      [b, null, [a]],
      [b, t1, []],
      [null, t2, [b]],
      [c, t2, [a, b]],
    ];
    const conn = await apiConnection(t, owner);
    const conversations: { id: string; assigneeId: string | null; teamId: string | null; ops: string[] }[] =
      [];
    for (const [assigneeId, teamId, ops] of shapes) {
      const r = await conn.post(inbound(unique("contact"), "hello"));
      const id = r.body.results[0].conversationId as string;
      await q("update conversations set assignee_id = $2, team_id = $3 where id = $1", [
        id,
        assigneeId,
        teamId,
      ]);
      for (const op of ops)
        await q(
          "insert into conversation_operators (conversation_id, user_id, workspace_id) values ($1, $2, $3)",
          [id, op, workspaceId],
        );
      conversations.push({ id, assigneeId, teamId, ops });
    }

    const seen: Record<string, number> = {};
    for (const who of actors) {
      const params: unknown[] = [workspaceId];
      const p = paramsOf(params);
      const where = ["c.workspace_id = $1", ...readableConversationsSql(who, p)].join(" and ");
      const rows = await q<{ id: string }>(`select c.id from conversations c where ${where}`, params);
      const inSql = rows.map((r) => r.id).sort();
      const inPolicy = conversations
        .filter(
          (cv) =>
            conversationPolicy(who, {
              workspaceId,
              assigneeId: cv.assigneeId,
              teamId: cv.teamId,
              operatorIds: cv.ops,
            }).read,
        )
        .map((cv) => cv.id)
        .sort();
      expect(inSql, `${who.role} ${who.userId}`).toEqual(inPolicy);
      seen[who.userId] = inSql.length;
    }
    // The table covers every way of seeing and not seeing.
    expect(seen).toEqual({ [a]: 5, [b]: 6, [c]: 5, [s]: 9, [x]: 9 });
  });
});
