import type { Role } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { sha256Hex } from "../../../lib/crypto";
import { AppError } from "../../../lib/errors";
import { INVITATION_COLUMNS, type InvitationRow, presentInvitation } from "../present";

/** A workspace's invitations, newest first (at most 500). */
export async function listInvitations(q: Queryable, workspaceId: string) {
  const rows = await q.query<InvitationRow>(
    `select ${INVITATION_COLUMNS} from invitations where workspace_id = $1 order by created_at desc limit 500`,
    [workspaceId],
  );
  return rows.map(presentInvitation);
}

/** The open invitation an accept link's token stands for (404 when it is unknown, used or expired). */
export async function findInvitation(q: Queryable, token: string, now: Date) {
  const [inv] = await q.query<{
    id: string;
    workspace_id: string;
    email: string;
    role: Role;
    custom_role_id: string | null;
    workspace_name: string;
  }>(
    `select i.id, i.workspace_id, i.email, i.role, i.custom_role_id, w.name as workspace_name from invitations i
     join workspaces w on w.id = i.workspace_id
     where i.token_hash = $1 and i.accepted_at is null and i.expires_at > $2`,
    [sha256Hex(token), now],
  );
  if (!inv)
    throw new AppError(
      "not_found",
      "This invitation link is invalid, already used or expired. Ask for a new one.",
    );
  return inv;
}
