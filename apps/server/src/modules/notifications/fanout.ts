import type { DomainEvent, NotificationEvent, Permission, Role } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { transact } from "../../context";
import { prepared, type Queryable } from "../../db/client";
import { canReceive, permissionsFor } from "../../domain/permissions";
import { isCustomerRead, JOB_EVENTS, notifiable } from "../../events/notifiable";
import { eventOfRow, type StoredEvent } from "../../events/store";
import { storedPermissionsSql } from "../users/queries/permissions-sql";
import { createNotification, createNotifications, type NotificationDraft } from "./create";
import { loadReadContext, readPlans } from "./read-plans";
import { anyMeans, loadSettings } from "./settings";
import { distributedNow, JOB_WAITING, WaitingPayload, waitingEvents } from "./waiting";

export const JOB_DELAYED = "notify.delayed";

interface Member {
  id: string;
  role: Role;
  name: string;
  email: string;
  teamIds: string[];
  permissions: Permission[];
}

const MEMBERS = prepared(
  "notifications.members",
  `select u.id, u.role, u.name, u.email,
     coalesce(array_agg(tm.team_id) filter (where tm.team_id is not null), '{}') as team_ids,
     ${storedPermissionsSql("u")} as stored_permissions
   from users u left join team_members tm on tm.user_id = u.id
   where u.workspace_id = $1 and u.status = 'active' group by u.id`,
);

async function members(q: Queryable, workspaceId: string): Promise<Member[]> {
  const rows = await q.query<{
    id: string;
    role: Role;
    name: string;
    email: string;
    team_ids: string[];
    stored_permissions: string[] | null;
  }>(MEMBERS, [workspaceId]);
  return rows.map((r) => ({
    id: r.id,
    role: r.role,
    name: r.name,
    email: r.email,
    teamIds: r.team_ids,
    permissions: permissionsFor(r.role, r.stored_permissions),
  }));
}

const norm = (s: string) => s.toLowerCase().replace(/[\s._-]+/g, "");

/** The members a note mentions: @Full Name without spaces, @first name, or @ the email's local part. */
export function mentioned(text: string, people: Member[]): Member[] {
  const tokens = [...text.matchAll(/@([\p{L}\p{N}._-]+)/gu)].map((m) => norm(m[1]!));
  if (!tokens.length) return [];
  return people.filter((p) => {
    const names = [norm(p.name), norm(p.name.split(/\s+/)[0] ?? ""), norm(p.email.split("@")[0] ?? "")];
    return tokens.some((t) => t && names.includes(t));
  });
}

type Candidate = Omit<NotificationDraft, "settings" | "means" | "workspaceId"> & { event: NotificationEvent };

const contactTitle = (c: { contact: { name: string | null; nickname: string | null }; number: number }) =>
  c.contact.name ?? c.contact.nickname ?? `#${c.number}`;

/** Who each event notifies, before their settings are applied. */
function candidates(
  events: DomainEvent[],
  people: Member[],
  audienceOf: (seq: number) => StoredEvent["audience"],
) {
  const out: Candidate[] = [];
  const actorOf = (m: Member) => ({
    userId: m.id,
    workspaceId: "",
    role: m.role,
    teamIds: m.teamIds,
    permissions: m.permissions,
  });
  for (const e of events) {
    if (!notifiable(e)) continue;
    const audience = audienceOf(e.seq);
    const canSee = (m: Member) =>
      canReceive({ ...actorOf(m), workspaceId: e.workspaceId }, { ...audience, userIds: undefined });
    if (e.type === "conversation.created") {
      for (const m of people.filter(canSee)) {
        out.push({
          event: "new_conversation",
          userId: m.id,
          kind: "new_conversation",
          conversationId: e.conversationId,
          messageId: null,
          title: contactTitle(e.conversation),
          body: e.conversation.lastMessage?.text ?? "",
          dedupeKey: `new_conversation:${e.conversationId}`,
        });
      }
    } else if (e.type === "conversation.assigned") {
      const to = e.conversation.assigneeId;
      if (to && to !== e.byUserId && people.some((p) => p.id === to)) {
        out.push({
          event: "assigned",
          userId: to,
          kind: "assigned",
          conversationId: e.conversationId,
          messageId: null,
          title: contactTitle(e.conversation),
          body: e.conversation.lastMessage?.text ?? "",
          dedupeKey: `assigned:${e.seq}`,
        });
      }
    } else if (e.type === "message.created" && e.message.direction === "inbound") {
      const c = e.conversation;
      if (!c) continue;
      const mine = new Set([c.assigneeId, ...c.operatorIds].filter((x): x is string => Boolean(x)));
      for (const m of people.filter((p) => mine.has(p.id))) {
        out.push({
          event: "new_message",
          userId: m.id,
          kind: "new_message",
          conversationId: e.conversationId,
          messageId: e.message.id,
          title: contactTitle(c),
          body: e.message.text ?? (e.message.attachments.length ? e.message.attachments[0]!.name : ""),
          dedupeKey: `new_message:${e.message.id}`,
        });
      }
    } else if (e.type === "message.created" && e.message.kind === "note") {
      const author = e.message.authorId;
      const by = people.find((p) => p.id === author);
      for (const m of mentioned(e.message.text ?? "", people)) {
        if (m.id === author || !canSee(m)) continue;
        out.push({
          event: "mention",
          userId: m.id,
          kind: "mention",
          conversationId: e.conversationId,
          messageId: e.message.id,
          title: by?.name ?? "",
          body: e.message.text ?? "",
          dedupeKey: `mention:${e.message.id}`,
        });
      }
    } else if (e.type === "message.updated" && isCustomerRead(e) && e.message.authorId) {
      out.push({
        event: "customer_read",
        userId: e.message.authorId,
        kind: "customer_read",
        conversationId: e.conversationId,
        messageId: e.message.id,
        title: "",
        body: e.message.text ?? "",
        dedupeKey: `customer_read:${e.message.id}`,
      });
    }
  }
  return out.filter((c) => people.some((p) => p.id === c.userId));
}

export const DelayedPayload = z.object({
  workspaceId: z.string(),
  userId: z.string(),
  kind: z.string(),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  dedupeKey: z.string(),
  // Jobs queued before SMS notifications have no `sms`.
  means: z.object({
    inApp: z.boolean(),
    push: z.boolean(),
    email: z.boolean(),
    sms: z.boolean().default(false),
  }),
});

const EventsPayload = z.object({ workspaceId: z.string(), from: z.number().int(), to: z.number().int() });
export type EventsPayload = z.infer<typeof EventsPayload>;

/** How many `notify.events` jobs of a workspace, due together, one run takes (JobDefinition.gather). */
export const FANOUT_GATHER = 200;

/** The events of several spans of a workspace's log (overlaps once), in order, with one statement. */
async function eventsOf(q: Queryable, workspaceId: string, spans: EventsPayload[]): Promise<StoredEvent[]> {
  const rows = await q.query<{ seq: number; payload: DomainEvent; audience: StoredEvent["audience"] }>(
    `select e.seq, e.payload, e.audience from events e
     where e.workspace_id = $1 and e.seq between $4 and $5
       and exists (select 1 from unnest($2::bigint[], $3::bigint[]) as s(f, t) where e.seq between s.f and s.t)
     order by e.seq`,
    [
      workspaceId,
      spans.map((s) => s.from),
      spans.map((s) => s.to),
      Math.min(...spans.map((s) => s.from)),
      Math.max(...spans.map((s) => s.to)),
    ],
  );
  return rows.map(eventOfRow);
}

/**
 * Works out and writes the notifications of spans of a workspace's events: every job due together is one
 * run (the runner gathers them), so a burst of read reports costs the same few statements per run whatever
 * the number of reports, ingest batches and authors in it.
 */
export async function fanOut(ctx: AppContext, workspaceId: string, spans: EventsPayload[]) {
  const all = await eventsOf(ctx.db, workspaceId, spans);
  // New unassigned conversations that distribution hands out notify nobody here (see waiting.ts).
  const arrivedId = (e: DomainEvent) =>
    e.type === "conversation.created" && !e.conversation.assigneeId ? e.conversationId : null;
  const distributed = await distributedNow(
    ctx.db,
    all.flatMap((s) => arrivedId(s.event) ?? []),
  );
  const stored = all.filter((s) => !distributed.has(arrivedId(s.event) ?? ""));
  await notifyStored(ctx, workspaceId, stored);
}

/** Works out and writes the notifications of events read from the log (or built as the log has them). */
async function notifyStored(ctx: AppContext, workspaceId: string, stored: StoredEvent[]) {
  if (!stored.some((s) => notifiable(s.event))) return;
  const people = await members(ctx.db, workspaceId);
  const audiences = new Map(stored.map((s) => [s.event.seq, s.audience]));
  const list = candidates(
    stored.map((s) => s.event),
    people,
    (seq) => audiences.get(seq) ?? {},
  );
  if (!list.length) return;
  const userIds = [...new Set(list.map((c) => c.userId))];
  const conversationIds = [...new Set(list.map((c) => c.conversationId).filter((x): x is string => !!x))];
  const mutes = await ctx.db.query<{ user_id: string; conversation_id: string }>(
    "select user_id, conversation_id from conversation_mutes where conversation_id = any($1::uuid[])",
    [conversationIds],
  );
  const muted = new Set(mutes.map((m) => `${m.user_id}:${m.conversation_id}`));
  const settings = await loadSettings(ctx.db, userIds);
  const byId = new Map(people.map((p) => [p.id, p]));
  const reads = list.filter((c) => c.event === "customer_read");
  // Read notifications need the contact's name (the event carries only the message).
  const names = new Map(
    reads.length
      ? (
          await ctx.db.query<{ id: string; title: string }>(
            `select c.id, coalesce(k.name, k.nickname, '#' || c.number) as title
             from conversations c join contacts k on k.id = c.contact_id where c.id = any($1::uuid[])`,
            [[...new Set(reads.map((c) => c.conversationId))]],
          )
        ).map((r) => [r.id, r.title])
      : [],
  );
  // The policy, the rules of every author of the batch and the facts they match on: one statement.
  const context = reads.length
    ? await loadReadContext(
        ctx.db,
        workspaceId,
        [...new Set(reads.map((c) => c.userId))],
        reads.map((c) => ({ messageId: c.messageId!, conversationId: c.conversationId! })),
      )
    : null;
  const work: { draft: NotificationDraft; delayMs?: number }[] = [];
  for (const c of list) {
    // A muted conversation notifies nothing but a new assignment.
    if (c.conversationId && c.event !== "assigned" && muted.has(`${c.userId}:${c.conversationId}`)) continue;
    const s = settings.get(c.userId)!;
    const { event, ...rest } = c;
    const base = { ...rest, workspaceId, settings: s };
    if (event === "customer_read") {
      const title = names.get(c.conversationId!) ?? "";
      const m = s.matrix.customer_read;
      if (!anyMeans(m)) continue;
      const plans = readPlans(context!, byId.get(c.userId)!, c.messageId!, s);
      plans.forEach((p, i) => {
        const draft: NotificationDraft = {
          ...base,
          title,
          means: p.means,
          dedupeKey: i === 0 ? c.dedupeKey : `${c.dedupeKey}:${i}`,
          ...(p.emailMode ? { emailMode: p.emailMode } : {}),
        };
        work.push(p.delayMs ? { draft, delayMs: p.delayMs } : { draft });
      });
      continue;
    }
    const means = s.matrix[event];
    if (!anyMeans(means)) continue;
    work.push({ draft: { ...base, means } });
  }
  if (!work.length) return;
  await transact(ctx, async (tx) => {
    for (const w of work) {
      if (!w.delayMs) continue;
      const { settings: _s, ...payload } = w.draft;
      await tx.enqueue(JOB_DELAYED, payload, {
        workspaceId,
        runAt: new Date(tx.now.getTime() + w.delayMs),
        idempotencyKey: `notify-delayed:${w.draft.userId}:${w.draft.dedupeKey}`,
      });
    }
    // The notifications due now with one statement, in the events' order.
    await createNotifications(
      ctx,
      tx,
      work.filter((w) => !w.delayMs).map((w) => w.draft),
    );
  });
}

export function registerFanoutJobs(ctx: AppContext) {
  const runSpans = async (spans: EventsPayload[]) => {
    const byWorkspace = new Map<string, EventsPayload[]>();
    for (const s of spans) byWorkspace.set(s.workspaceId, [...(byWorkspace.get(s.workspaceId) ?? []), s]);
    for (const [workspaceId, list] of byWorkspace) await fanOut(ctx, workspaceId, list);
  };
  ctx.jobs.register({
    type: JOB_EVENTS,
    payload: EventsPayload,
    run: (p) => runSpans([p]),
    gather: { max: FANOUT_GATHER, run: runSpans },
  });

  // New conversations distribution could not give to anyone: "new conversation" to everyone, as at arrival.
  ctx.jobs.register({
    type: JOB_WAITING,
    payload: WaitingPayload,
    run: async ({ workspaceId, conversationIds }) =>
      notifyStored(ctx, workspaceId, await waitingEvents(ctx.db, workspaceId, conversationIds)),
  });

  ctx.jobs.register({
    type: JOB_DELAYED,
    payload: DelayedPayload,
    async run(p) {
      const settings = (await loadSettings(ctx.db, [p.userId])).get(p.userId)!;
      await transact(ctx, (tx) => createNotification(ctx, tx, { ...p, settings }));
    },
  });
}
