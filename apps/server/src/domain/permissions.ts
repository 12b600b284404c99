import type { ConversationPermissions, Role } from "@parley/protocol";

/** The facts a conversation policy decision needs. Pure: no I/O. */
export interface Actor {
  userId: string;
  workspaceId: string;
  role: Role;
  teamIds: readonly string[];
}

export interface ConversationAccess {
  workspaceId: string;
  assigneeId: string | null;
  operatorIds: readonly string[];
  teamId: string | null;
}

export const isManager = (role: Role) => role === "owner" || role === "admin" || role === "supervisor";
export const isAdmin = (role: Role) => role === "owner" || role === "admin";

/**
 * Who may do what with a conversation (R207, R213, R801).
 * Managers (owner, admin, supervisor) see and handle every conversation of the workspace.
 * An agent sees the conversations assigned to them, those they are an additional operator of,
 * and the queue: unassigned conversations (of their team when it has one). After a reassignment the
 * previous agent no longer sees the history and can no longer write.
 */
export function conversationPolicy(actor: Actor, c: ConversationAccess): ConversationPermissions {
  if (actor.workspaceId !== c.workspaceId) {
    return { read: false, reply: false, note: false, assign: false, changeStatus: false, delete: false };
  }
  const manager = isManager(actor.role);
  const mine = c.assigneeId === actor.userId;
  const operator = c.operatorIds.includes(actor.userId);
  const inQueue = c.assigneeId === null && (c.teamId === null || actor.teamIds.includes(c.teamId));
  const read = manager || mine || operator || inQueue;
  const handles = manager || mine || operator;
  return {
    read,
    // Replying to a conversation in the queue takes it (the reply assigns it to the writer).
    reply: handles || inQueue,
    note: read,
    assign: manager || mine || inQueue,
    changeStatus: handles || inQueue,
    delete: isAdmin(actor.role),
  };
}

/** The audience stored with an event: enough to decide recipients without a query. */
export interface EventAudience {
  /** null: every agent of the workspace who can read the conversation as described. */
  conversation?: ConversationAccess & { previousAssigneeId?: string | null };
  /** Only these users (e.g. a read cursor is of interest to everyone who can read the conversation). */
  userIds?: string[];
}

export function canReceive(actor: Actor, audience: EventAudience): boolean {
  if (audience.userIds && !audience.userIds.includes(actor.userId)) return false;
  const c = audience.conversation;
  if (!c) return true;
  if (c.previousAssigneeId && c.previousAssigneeId === actor.userId) return true; // so their list drops it
  return conversationPolicy(actor, c).read;
}
