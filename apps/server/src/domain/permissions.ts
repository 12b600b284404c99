import {
  ALL_PERMISSIONS,
  type ConversationPermissions,
  PERMISSION_NAMES,
  Permission,
  ROLE_DEFAULT_PERMISSIONS,
  type Role,
} from "@parley/protocol";
import { forbidden } from "../lib/errors";
import { type Param, paramsOf } from "../lib/sql-params";

/** The facts a policy decision needs. Pure: no I/O. */
export interface Actor {
  userId: string;
  workspaceId: string;
  role: Role;
  teamIds: readonly string[];
  /** The named rights the caller holds (R801), resolved from their role by `permissionsFor`. */
  permissions: readonly Permission[];
  /** Set when the caller is a bot's API token (R702): its replies are the bot's, and it reaches only its conversations. */
  botId?: string;
}

/** The one question every server check asks: may this caller do that? */
export const can = (actor: Pick<Actor, "permissions">, permission: Permission) =>
  actor.permissions.includes(permission);

/** The refusal for a caller without a permission: it names the permission, so they know what to ask for. */
export const missing = (permission: Permission) =>
  forbidden(`You need the “${PERMISSION_NAMES[permission]}” permission (${permission}).`);

/** Throws the 403 naming the permission unless the caller holds it. */
export function mustHold(actor: Pick<Actor, "permissions">, permission: Permission) {
  if (!can(actor, permission)) throw missing(permission);
}

/**
 * The rights of a role: owners and admins hold all; another role holds what the workspace stored for it
 * (unknown names dropped), or its defaults when nothing is stored.
 */
export function permissionsFor(role: Role, stored?: readonly string[] | null): Permission[] {
  if (role === "owner" || role === "admin") return [...ALL_PERMISSIONS];
  if (!stored) return [...ROLE_DEFAULT_PERMISSIONS[role]];
  return stored.filter((p): p is Permission => Permission.safeParse(p).success);
}

export interface ConversationAccess {
  workspaceId: string;
  assigneeId: string | null;
  operatorIds: readonly string[];
  teamId: string | null;
}

/** Sees every conversation of the workspace (the right once tied to the manager roles). */
const seesAll = (actor: Actor) => can(actor, "conversations.view_all");

/**
 * The ways an agent sees a conversation (R207, R801), written once for both places the rule is decided:
 * `test` for one conversation in memory, `sql` for a query over the alias `c` (conversations), with the
 * caller's user id at the placeholder `me` and parameters added through `p`. Whoever sees all conversations needs none.
 */
interface SeeClause {
  test(actor: Actor, c: ConversationAccess): boolean;
  sql(actor: Actor, me: string, p: Param): string;
}
const SEES = {
  /** Assigned to them. */
  assignee: { test: (a, c) => c.assigneeId === a.userId, sql: (_a, me) => `c.assignee_id = ${me}` },
  /** An additional operator of it. */
  operator: {
    test: (a, c) => c.operatorIds.includes(a.userId),
    sql: (_a, me) =>
      `exists (select 1 from conversation_operators o where o.conversation_id = c.id and o.user_id = ${me})`,
  },
  /** The queue: unassigned, of their team when it has one. */
  queue: {
    test: (a, c) => c.assigneeId === null && (c.teamId === null || a.teamIds.includes(c.teamId)),
    sql: (a, _me, p) =>
      `(c.assignee_id is null and (c.team_id is null or c.team_id = any(${p(a.teamIds)}::uuid[])))`,
  },
} satisfies Record<string, SeeClause>;
const CLAUSES: readonly SeeClause[] = Object.values(SEES);

/**
 * The conversation read rule as SQL conditions over `c` (none for those who see all), with its parameters added
 * through `p`. The workspace is the caller's own query's condition. Agrees with `conversationPolicy().read`
 * (checked row by row against the database in `modules/conversations/visibility.test.ts`).
 */
export function readableConversationsSql(actor: Actor, p: Param): string[] {
  if (seesAll(actor)) return [];
  const me = p(actor.userId);
  return [`(${CLAUSES.map((s) => s.sql(actor, me, p)).join("\n      or ")})`];
}

/** The read rule as `and …` conditions to append to a query's own, its parameters pushed onto `params`. */
export function andReadable(actor: Actor, params: unknown[]): string {
  const p = paramsOf(params);
  return readableConversationsSql(actor, p)
    .map((c) => ` and ${c}`)
    .join("");
}

/**
 * Who may do what with a conversation (R207, R213, R801).
 * Whoever holds `conversations.view_all` (by default owners, admins and supervisors) sees and handles every
 * conversation of the workspace; writing needs `conversations.reply`, deleting `conversations.delete`.
 * An agent sees the conversations assigned to them, those they are an additional operator of,
 * and the queue: unassigned conversations (of their team when it has one). After a reassignment the
 * previous agent no longer sees the history and can no longer write.
 */
export function conversationPolicy(actor: Actor, c: ConversationAccess): ConversationPermissions {
  if (actor.workspaceId !== c.workspaceId) {
    return { read: false, reply: false, note: false, assign: false, changeStatus: false, delete: false };
  }
  const manager = seesAll(actor);
  const mine = SEES.assignee.test(actor, c);
  const operator = SEES.operator.test(actor, c);
  const inQueue = SEES.queue.test(actor, c);
  const read = manager || readsByClause(actor, c);
  const handles = manager || mine || operator;
  return {
    read,
    // Replying to a conversation in the queue takes it (the reply assigns it to the writer).
    reply: (handles || inQueue) && can(actor, "conversations.reply"),
    note: read,
    assign: manager || mine || inQueue,
    changeStatus: handles || inQueue,
    delete: read && can(actor, "conversations.delete"),
  };
}

/** The audience stored with an event: enough to decide recipients without a query. */
export interface EventAudience {
  /** null: every agent of the workspace who can read the conversation as described. */
  conversation?: ConversationAccess & { previousAssigneeId?: string | null };
  /** Only these users (e.g. a read cursor is of interest to everyone who can read the conversation). */
  userIds?: string[];
}

/** The read rule for those who do not see all: any of the clauses readableConversationsSql writes in SQL. */
const readsByClause = (actor: Actor, c: ConversationAccess) => CLAUSES.some((s) => s.test(actor, c));

/**
 * Whether the actor may receive an event with this audience. It decides `conversationPolicy().read` alone
 * (the fan-out asks it per event and per kind of agent): nothing else of the policy is worked out.
 */
export function canReceive(actor: Actor, audience: EventAudience): boolean {
  if (audience.userIds && !audience.userIds.includes(actor.userId)) return false;
  const c = audience.conversation;
  if (!c) return true;
  if (c.previousAssigneeId && c.previousAssigneeId === actor.userId) return true; // so their list drops it
  return actor.workspaceId === c.workspaceId && (seesAll(actor) || readsByClause(actor, c));
}
