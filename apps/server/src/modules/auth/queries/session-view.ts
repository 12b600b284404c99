import type { Permission } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { presentUser, USER_COLUMNS, type UserRow } from "../../users/present";

/** Whether the first owner still has to be created (no user exists yet). */
export async function needsSetup(q: Queryable) {
  const rows = await q.query("select 1 from users limit 1");
  return rows.length === 0;
}

/** The workspace a signed-in user belongs to, as the session answer shows it. */
export async function workspaceOf(q: Queryable, workspaceId: string) {
  const [ws] = await q.query<{ id: string; name: string }>("select id, name from workspaces where id = $1", [
    workspaceId,
  ]);
  return ws!;
}

/** The signed-in user and workspace with the session's CSRF token. */
export async function sessionView(
  q: Queryable,
  s: {
    userId: string;
    workspaceId: string;
    csrfToken: string;
    permissions: readonly Permission[];
    twoFactorEnrolmentRequired?: boolean;
  },
) {
  const [user] = await q.query<UserRow>(`select ${USER_COLUMNS} from users where id = $1`, [s.userId]);
  return {
    user: presentUser(user!),
    csrfToken: s.csrfToken,
    workspace: await workspaceOf(q, s.workspaceId),
    permissions: [...s.permissions],
    twoFactorEnrolmentRequired: s.twoFactorEnrolmentRequired ?? false,
  };
}

/** The people of a workspace, by name. */
export async function listUsers(q: Queryable, workspaceId: string) {
  const rows = await q.query<UserRow>(
    `select ${USER_COLUMNS} from users where workspace_id = $1 order by name`,
    [workspaceId],
  );
  return rows.map(presentUser);
}
