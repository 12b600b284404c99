import type { Queryable } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";

export async function checkAssignee(q: Queryable, actor: Actor, assigneeId: string) {
  const [u] = await q.query(
    "select 1 from users where id = $1 and workspace_id = $2 and status <> 'disabled'",
    [assigneeId, actor.workspaceId],
  );
  if (!u) throw new AppError("validation_failed", "The assignee is not an active user of this workspace.");
}

export function checkTimes(t: { dueAt?: string | null; endsAt?: string | null }) {
  if (t.dueAt && t.endsAt && new Date(t.endsAt) < new Date(t.dueAt))
    throw new AppError("validation_failed", "An event cannot end before it starts.");
}
