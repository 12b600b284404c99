import { type Actor, can } from "../../domain/permissions";
import type { TaskRow } from "./present";

/** A task is its assignee's and its author's; supervisors and admins see every task of the workspace. */
export const canSeeTask = (actor: Actor, r: Pick<TaskRow, "assignee_id" | "created_by">) =>
  can(actor, "conversations.view_all") || r.assignee_id === actor.userId || r.created_by === actor.userId;
