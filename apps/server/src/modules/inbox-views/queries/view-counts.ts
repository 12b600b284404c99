import type { ConversationStatus } from "@parley/protocol";
import type { AppContext } from "../../../context";
import { type Actor, andReadable } from "../../../domain/permissions";
import { paramsOf } from "../../../lib/sql-params";
import { inboxFilters, type ListFilters } from "../../conversations/list";
import { presentSavedFilter, type SavedFilterRow } from "../present";
import type { SavedFilterParams } from "../schema";

const split = (v: string | undefined) => (v ? v.split(",").filter(Boolean) : undefined);

/** A saved filter's parameters as the list's filters: the view's own conditions, then the filters. */
export function filtersOf(s: SavedFilterParams): Partial<ListFilters> {
  const view = s.view ?? "all";
  return {
    status: (split(s.status) ??
      (view === "closed" ? ["closed"] : ["open", "in_progress"])) as ConversationStatus[],
    // The default views leave snoozed conversations out; "Important" takes them too, "Snoozed" only them.
    snoozed: view === "snoozed" ? true : view === "important" || view === "closed" ? undefined : false,
    important: view === "important" || undefined,
    mine: view === "mine" || s.type === "mine" || undefined,
    unassigned: view === "unassigned" || s.type === "unassigned" || undefined,
    unanswered: s.type === "unanswered" || undefined,
    channel: split(s.channel) as ListFilters["channel"],
    assignee: split(s.assignee),
    team: split(s.team),
    bot: split(s.bot),
    tag: split(s.tag),
    tagMode: s.tagMode,
    author: s.author,
  };
}

/** Unread for the caller (a customer message after their read cursor, or marked unread), as in the header badge. */
const UNREAD = "(c.last_inbound_seq > coalesce(rc.last_read_seq, 0) or coalesce(rc.marked_unread, false))";
/** Waiting for a reply: the same predicate as the processing order (open conversations only here). */
const WAITING = "c.first_unanswered_at is not null";
/** The default views (mine, all, unassigned, teams) leave snoozed conversations out until they wake. */
const AWAKE = "c.snoozed_until is null";

/**
 * The inbox views with their counts (unread and waiting) in one statement: "mine", "all", "unassigned",
 * "important", "snoozed", one view per team the caller belongs to and each of their saved filters. Only open conversations the caller
 * may see are counted, read once through conversations_open_counts_idx and the caller's read cursors.
 */
export async function viewCounts(ctx: AppContext, actor: Actor) {
  const [teams, saved] = await Promise.all([
    ctx.db.query<{ id: string; name: string }>(
      `select t.id, t.name from teams t join team_members m on m.team_id = t.id
       where t.workspace_id = $1 and m.user_id = $2 order by lower(t.name)`,
      [actor.workspaceId, actor.userId],
    ),
    ctx.db.query<SavedFilterRow>(
      `select id, name, params from saved_filters where workspace_id = $1 and user_id = $2
       order by lower(name)`,
      [actor.workspaceId, actor.userId],
    ),
  ]);
  const savedFilters = saved.map(presentSavedFilter);
  const params: unknown[] = [actor.workspaceId, actor.userId];
  const p = paramsOf(params);
  const views: [string, string][] = [
    ["mine", `c.assignee_id = $2 and ${AWAKE}`],
    ["all", AWAKE],
    ["unassigned", `c.assignee_id is null and ${AWAKE}`],
    ["important", "c.important_at is not null"],
    ["snoozed", "c.snoozed_until is not null"],
    ...teams.map((t): [string, string] => [`team:${t.id}`, `c.team_id = ${p(t.id)}::uuid and ${AWAKE}`]),
    ...savedFilters.map((s): [string, string] => {
      // Closed conversations are never unread or waiting here: a filter of closed ones counts zero.
      const conditions = inboxFilters(filtersOf(s.params), p);
      return [`saved:${s.id}`, conditions.length ? conditions.join(" and ") : "true"];
    }),
  ];
  const columns = views.flatMap(([, where], i) => [
    `count(*) filter (where ${UNREAD} and ${where}) as u${i}`,
    `count(*) filter (where ${WAITING} and ${where}) as w${i}`,
  ]);
  const visibility = andReadable(actor, params);
  const [row] = await ctx.db.query<Record<string, number | string>>(
    `select ${columns.join(", ")}
     from conversations c
     left join read_cursors rc on rc.conversation_id = c.id and rc.user_id = $2
     where c.workspace_id = $1 and c.status <> 'closed'${visibility}`,
    params,
  );
  const counts = (i: number) => ({
    unread: Number(row?.[`u${i}`] ?? 0),
    waiting: Number(row?.[`w${i}`] ?? 0),
  });
  return {
    views: (["mine", "all", "unassigned", "important", "snoozed"] as const).map((key, i) => ({
      key,
      ...counts(i),
    })),
    teams: teams.map((t, i) => ({ ...t, ...counts(5 + i) })),
    saved: savedFilters.map((s, i) => ({ ...s, ...counts(5 + teams.length + i) })),
  };
}
