import type { Conversation, Message } from "@parley/protocol";
import {
  type InfiniteData,
  type QueryClient,
  queryOptions,
  useInfiniteQuery,
  useQuery,
} from "@tanstack/react-query";
import { client, data, get } from "./client";
import { patchQueries } from "./patch";
import type { Answer } from "./types";

export type Session = Answer<"/api/auth/session">;
export type ConversationPage = Answer<"/api/conversations">;
export type Feed = Answer<"/api/conversations/{id}/messages">;
export type ConversationPages = InfiniteData<ConversationPage, string | null>;

/**
 * The inbox views of the left column (R108); each is a filter of GET /api/conversations. The default views
 * (mine, all, unassigned) leave snoozed conversations out; "important" shows the starred ones (snoozed too),
 * "snoozed" those waiting to wake.
 */
export const VIEWS = ["mine", "all", "unassigned", "important", "snoozed", "closed"] as const;
export type View = (typeof VIEWS)[number];
export const isView = (v: string | null): v is View => VIEWS.includes(v as View);

export function viewQuery(view: View): Record<string, string> {
  switch (view) {
    case "mine":
      return { mine: "true", status: "open,in_progress", snoozed: "false" };
    case "all":
      return { status: "open,in_progress", snoozed: "false" };
    case "unassigned":
      return { unassigned: "true", status: "open,in_progress", snoozed: "false" };
    case "important":
      return { important: "true", status: "open,in_progress" };
    case "snoozed":
      return { snoozed: "true", status: "open,in_progress" };
    case "closed":
      return { status: "closed" };
  }
}

/** Whether a conversation belongs to a view: realtime updates move rows in and out of lists with it. */
export function inView(view: View, c: Conversation, userId: string): boolean {
  const awake = !c.snoozedUntil;
  switch (view) {
    case "mine":
      return c.status !== "closed" && awake && c.assigneeId === userId;
    case "all":
      return c.status !== "closed" && awake;
    case "unassigned":
      return c.status !== "closed" && awake && c.assigneeId === null;
    case "important":
      return c.status !== "closed" && !!c.important;
    case "snoozed":
      return c.status !== "closed" && !awake;
    case "closed":
      return c.status === "closed";
  }
}

export const keys = {
  session: ["session"] as const,
  setup: ["setup"] as const,
  users: ["users"] as const,
  unread: ["unread-count"] as const,
  lists: ["conversations"] as const,
  list: (view: View) => ["conversations", view] as const,
  conversation: (id: string) => ["conversation", id] as const,
  feed: (id: string) => ["feed", id] as const,
};

export const sessionQuery = queryOptions({
  queryKey: keys.session,
  queryFn: async () => {
    try {
      return await data(client.GET("/api/auth/session"));
    } catch (err) {
      if ((err as { status?: number }).status === 401) return null;
      throw err;
    }
  },
  staleTime: Number.POSITIVE_INFINITY,
});

export const setupQuery = queryOptions({
  queryKey: keys.setup,
  queryFn: () => data(client.GET("/api/setup")),
  staleTime: Number.POSITIVE_INFINITY,
});

export const useUsers = () =>
  useQuery({
    queryKey: keys.users,
    queryFn: () => data(client.GET("/api/users")).then((r) => r.users),
    staleTime: 5 * 60_000,
  });

export const useUnreadCount = () =>
  useQuery({
    queryKey: keys.unread,
    queryFn: () => data(client.GET("/api/conversations/unread-count")).then((r) => r.count),
  });

/**
 * A view's list; `params` (the view's query with the list's filters, see features/inbox/filters.ts) is part
 * of the key, so realtime updates can tell which cached lists a conversation belongs to.
 */
export const useConversationList = (view: View, params: Record<string, string> = viewQuery(view)) =>
  useInfiniteQuery({
    queryKey: [...keys.list(view), params] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ ...params, limit: "50" });
      if (pageParam) q.set("cursor", pageParam);
      return get<ConversationPage>(`/api/conversations?${q}`);
    },
    getNextPageParam: (last) => last.nextCursor,
    staleTime: 60_000,
  });

/**
 * One conversation. Realtime events keep it current in the cache (as the feed and the lists), so switching
 * back to it within a minute shows it without asking the server again; what may have changed unseen (an
 * assignment's permissions, a closed messaging window) is invalidated where it happens.
 */
export const useConversation = (id: string) =>
  useQuery({
    queryKey: keys.conversation(id),
    queryFn: () =>
      data(client.GET("/api/conversations/{id}", { params: { path: { id } } })).then((r) => r.conversation),
    staleTime: 60_000,
  });

export const useFeed = (id: string) =>
  useQuery({
    queryKey: keys.feed(id),
    queryFn: () =>
      data(
        client.GET("/api/conversations/{id}/messages", { params: { path: { id }, query: { limit: 50 } } }),
      ),
    staleTime: 60_000,
  });

/** Loads the page of the feed before its first message and prepends it. */
export async function loadOlder(qc: QueryClient, id: string) {
  const feed = qc.getQueryData<Feed>(keys.feed(id));
  const first = feed?.messages[0];
  if (!feed || !first) return;
  const page = await data(
    client.GET("/api/conversations/{id}/messages", {
      params: { path: { id }, query: { limit: 50, before: first.seq } },
    }),
  );
  qc.setQueryData<Feed>(keys.feed(id), (cur) =>
    cur ? { messages: mergeMessages(cur.messages, page.messages), hasMore: page.hasMore } : cur,
  );
}

/** Puts a message the socket reported (or the agent just sent) into its conversation's feed. */
export function putInFeed(qc: QueryClient, m: Message) {
  patchQueries<Feed>(qc, { queryKey: keys.feed(m.conversationId), exact: true }, (feed) => ({
    ...feed,
    messages: mergeMessages(feed.messages, [m]),
  }));
}

/** Applies what the socket reported to one conversation's cached detail (see patchQueries). */
export function patchConversation(qc: QueryClient, id: string, fn: (c: Conversation) => Conversation) {
  patchQueries(qc, { queryKey: keys.conversation(id), exact: true }, fn);
}

/** How far a delivery has got, in the server's order: failed is overtaken only by delivered and read. */
const DELIVERY_RANK = { queued: 0, sent: 1, failed: 2, delivered: 3, read: 4 } as const;
const rank = (m: Message) => (m.delivery ? DELIVERY_RANK[m.delivery.state] : -1);

/**
 * Adds or replaces messages by id, keeping the feed ordered by seq. A copy never moves a delivery state
 * back: the answer to a send may arrive after the socket already said the message was sent.
 */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) {
    const known = byId.get(m.id);
    // A failed message sent again starts a new attempt (a later queuedAt): its states start over.
    const retried = (m.delivery?.queuedAt ?? "") > (known?.delivery?.queuedAt ?? "");
    if (!known || retried || rank(m) > rank(known)) byId.set(m.id, m);
    else if (rank(m) === rank(known)) {
      // Still queued: a copy without "waiting" (the answer to the send, late) keeps the socket's waiting time.
      const waiting = m.delivery?.waiting ?? known.delivery?.waiting ?? null;
      byId.set(
        m.id,
        m.delivery && waiting !== m.delivery.waiting ? { ...m, delivery: { ...m.delivery, waiting } } : m,
      );
    }
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}
