import type { Conversation } from "@parley/protocol";
import { type View, viewQuery } from "../../api/queries";

/**
 * The list's filters (R102) as they live in the page's URL, so a filtered view can be bookmarked. Names
 * follow GET /api/conversations where they can; `type`, `from` and `to` are the UI's shorter forms.
 */
export interface InboxFilters {
  channel: string[];
  type: "" | "unassigned" | "mine" | "unanswered";
  assignee: string[];
  team: string[];
  bot: string[];
  status: string[];
  tag: string[];
  tagMode: "any" | "none" | "pinned";
  /** Days (YYYY-MM-DD, the agent's calendar): any message on or between them. */
  from: string;
  to: string;
  author: "" | "customer" | "agent";
  /** Comments under posts or direct messages (R451). */
  kind: "" | "comment" | "direct";
  sort: "activity" | "waiting";
}

const LISTS = ["channel", "assignee", "team", "bot", "status", "tag"] as const;
const TYPES = ["unassigned", "mine", "unanswered"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function readFilters(params: URLSearchParams): InboxFilters {
  const list = (k: string) => (params.get(k) ?? "").split(",").filter(Boolean);
  const pick = <T extends string>(k: string, allowed: readonly T[], fallback: T | ""): T | "" => {
    const v = params.get(k) as T | null;
    return v && allowed.includes(v) ? v : fallback;
  };
  const day = (k: string) => (DAY.test(params.get(k) ?? "") ? params.get(k)! : "");
  return {
    channel: list("channel"),
    type: pick("type", TYPES, ""),
    assignee: list("assignee"),
    team: list("team"),
    bot: list("bot"),
    status: list("status"),
    tag: list("tag"),
    tagMode: (pick("tagMode", ["none", "pinned"] as const, "") || "any") as InboxFilters["tagMode"],
    from: day("from"),
    to: day("to"),
    author: pick("author", ["customer", "agent"] as const, ""),
    kind: pick("kind", ["comment", "direct"] as const, ""),
    sort: params.get("sort") === "waiting" ? "waiting" : "activity",
  };
}

/** Writes the filters into the URL's parameters (empty ones are left out), keeping the others (view, q). */
export function writeFilters(params: URLSearchParams, f: InboxFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const k of LISTS) {
    if (f[k].length) next.set(k, f[k].join(","));
    else next.delete(k);
  }
  const single = { type: f.type, from: f.from, to: f.to, author: f.author, kind: f.kind } as const;
  for (const [k, v] of Object.entries(single)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  if (f.tagMode !== "any") next.set("tagMode", f.tagMode);
  else next.delete("tagMode");
  if (f.sort !== "activity") next.set("sort", f.sort);
  else next.delete("sort");
  return next;
}

/** How many filters narrow the list (the badge on the filter button); sorting is not a filter. */
export const activeFilterCount = (f: InboxFilters) =>
  LISTS.filter((k) => f[k].length).length +
  [f.type, f.author, f.kind, f.from || f.to, f.tagMode !== "any" && !f.tag.length].filter(Boolean).length;

/** The start of a local day as an ISO instant; `next` gives the start of the following day. */
export function dayStart(day: string, next = false): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (next ? 1 : 0)).toISOString();
}

/** The API query of a view with filters: the view's own conditions, then the filters (a status list replaces the view's). */
export function listParams(view: View, f: InboxFilters, sortAllowed: boolean): Record<string, string> {
  const q: Record<string, string> = { ...viewQuery(view) };
  for (const k of LISTS) if (f[k].length) q[k] = f[k].join(",");
  if (f.type) q[f.type] = "true";
  if (f.tagMode !== "any") q.tagMode = f.tagMode;
  if (f.from) q.activeFrom = dayStart(f.from);
  if (f.to || f.from) q.activeTo = dayStart(f.to || f.from, true);
  if (f.author) q.author = f.author;
  if (f.kind) q.kind = f.kind;
  if (f.sort === "waiting" && sortAllowed) q.sort = "waiting";
  return q;
}

/**
 * Whether a conversation belongs to a list with these API parameters, from the conversation alone: true,
 * false, or null when a filter needs data the row does not carry (tags, message dates). Realtime updates
 * use it to move rows in and out of lists without refetching them.
 */
export function matchesParams(q: Record<string, string>, c: Conversation, me: string): boolean | null {
  const list = (k: string) => (q[k] ? q[k].split(",") : null);
  const status = list("status");
  if (status && !status.includes(c.status)) return false;
  if (q.mine === "true" && c.assigneeId !== me) return false;
  if (q.unassigned === "true" && c.assigneeId !== null) return false;
  if (q.unanswered === "true" && !c.firstUnansweredAt) return false;
  if (q.important === "true" && !c.important) return false;
  if (q.important === "false" && c.important) return false;
  if (q.snoozed === "true" && !c.snoozedUntil) return false;
  if (q.snoozed === "false" && c.snoozedUntil) return false;
  const assignee = list("assignee");
  if (assignee && !(c.assigneeId && assignee.includes(c.assigneeId))) return false;
  const channel = list("channel");
  if (channel && !channel.includes(c.connection.type)) return false;
  const connection = list("connection");
  if (connection && !connection.includes(c.connection.id)) return false;
  const team = list("team");
  if (team && !(c.teamId && team.includes(c.teamId))) return false;
  const bot = list("bot");
  if (bot && !(c.botId && bot.includes(c.botId))) return false;
  const direction = c.lastMessage?.direction;
  if (q.author === "customer" && direction !== "inbound") return false;
  if (q.author === "agent" && direction !== "outbound") return false;
  if (q.kind && (c.kind ?? "direct") !== q.kind) return false;
  if (q.tag || q.tagMode) return null;
  if (q.activeFrom) {
    // A new message now is in the range only if the range includes now.
    if (Date.parse(c.lastActivityAt) >= Date.parse(q.activeTo ?? "9999-12-31")) return null;
    if (Date.parse(c.lastActivityAt) < Date.parse(q.activeFrom)) return false;
    return null;
  }
  return true;
}

const waiting = (c: Conversation) => c.firstUnansweredAt !== null && c.status !== "closed";

/** True when `a` comes before `b` in the list's order (the server's: activity, or processing order). */
export function sortsBefore(a: Conversation, b: Conversation, sort: string | undefined): boolean {
  if (sort === "waiting") {
    const wa = waiting(a);
    const wb = waiting(b);
    if (wa !== wb) return wa;
    if (wa)
      return a.firstUnansweredAt === b.firstUnansweredAt
        ? a.id < b.id
        : a.firstUnansweredAt! < b.firstUnansweredAt!;
  }
  return a.lastActivityAt === b.lastActivityAt ? a.id > b.id : a.lastActivityAt > b.lastActivityAt;
}
