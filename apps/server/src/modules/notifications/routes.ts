import { AgentNotification, NotificationMeans } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { Queryable } from "../../db/client";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf, type SessionActor } from "../../http/types";
import { egressPolicy, refusalOfUrl } from "../../lib/egress";
import { badRequest, forbidden, notFound } from "../../lib/errors";
import { conversationForActor } from "../conversations/access";
import { NOTIFICATION_COLS, presentNotification } from "./create";
import { vapidKeys } from "./push";
import {
  Audience,
  inAudience,
  minutesOf,
  presentSettings,
  SETTINGS_COLS,
  SettingsInput,
  type SettingsRow,
  SettingsSchema,
} from "./settings";

const tags = ["notifications"];

const RuleInput = z
  .object({
    match: z.enum(["all", "important", "tag", "channel"]),
    tagId: z.uuid().nullable().default(null),
    connectionId: z.uuid().nullable().default(null),
    means: z.array(NotificationMeans).min(1).max(3),
    timing: z.enum(["immediate", "delay", "daily", "weekly"]),
    delayMinutes: z.number().int().min(0).max(10_080).default(0),
  })
  .refine((r) => r.match !== "tag" || r.tagId, { message: "a tag rule needs tagId", path: ["tagId"] })
  .refine((r) => r.match !== "channel" || r.connectionId, {
    message: "a channel rule needs connectionId",
    path: ["connectionId"],
  })
  .refine((r) => r.timing !== "delay" || r.delayMinutes > 0, {
    message: "a delayed rule needs delayMinutes above 0",
    path: ["delayMinutes"],
  });
type RuleInput = z.infer<typeof RuleInput>;
const WorkspaceRuleInput = z.intersection(
  RuleInput,
  z.object({ recipients: Audience.nullable().default(null) }),
);

const Rule = z.object({
  id: z.string(),
  match: z.enum(["all", "important", "tag", "channel"]),
  tagId: z.string().nullable(),
  connectionId: z.string().nullable(),
  means: z.array(NotificationMeans),
  timing: z.enum(["immediate", "delay", "daily", "weekly"]),
  delayMinutes: z.number().int(),
  recipients: Audience.nullable(),
});
const Policy = z.object({ readReceive: Audience.nullable(), readManage: Audience.nullable() });

interface RuleRow {
  id: string;
  match: RuleInput["match"];
  tag_id: string | null;
  connection_id: string | null;
  means: NotificationMeans[];
  timing: RuleInput["timing"];
  delay_minutes: number;
  recipients: Audience | null;
}
const presentRule = (r: RuleRow): z.infer<typeof Rule> => ({
  id: r.id,
  match: r.match,
  tagId: r.tag_id,
  connectionId: r.connection_id,
  means: r.means,
  timing: r.timing,
  delayMinutes: r.delay_minutes,
  recipients: r.recipients,
});

async function policyOf(q: Queryable, workspaceId: string) {
  const [p] = await q.query<{ read_receive: Audience | null; read_manage: Audience | null }>(
    "select read_receive, read_manage from notification_policies where workspace_id = $1",
    [workspaceId],
  );
  return { readReceive: p?.read_receive ?? null, readManage: p?.read_manage ?? null };
}

async function canManageOwnRules(q: Queryable, actor: SessionActor) {
  const policy = await policyOf(q, actor.workspaceId);
  return inAudience(policy.readManage, { id: actor.userId, role: actor.role, teamIds: actor.teamIds });
}

/** Rules may name only this workspace's tags and connections (else: 404, as for any foreign id). */
async function checkRuleRefs(q: Queryable, workspaceId: string, rules: RuleInput[]) {
  const tagIds = rules.map((r) => r.tagId).filter((x): x is string => !!x);
  const connIds = rules.map((r) => r.connectionId).filter((x): x is string => !!x);
  const [t] = await q.query<{ n: number }>(
    "select count(*)::int as n from tags where workspace_id = $1 and id = any($2::uuid[])",
    [workspaceId, [...new Set(tagIds)]],
  );
  if ((t?.n ?? 0) !== new Set(tagIds).size) throw notFound("Tag");
  const [c] = await q.query<{ n: number }>(
    "select count(*)::int as n from channel_connections where workspace_id = $1 and id = any($2::uuid[])",
    [workspaceId, [...new Set(connIds)]],
  );
  if ((c?.n ?? 0) !== new Set(connIds).size) throw notFound("Channel connection");
}

async function checkAudience(q: Queryable, workspaceId: string, a: Audience | null) {
  if (!a) return;
  const [t] = await q.query<{ n: number }>(
    "select count(*)::int as n from teams where workspace_id = $1 and id = any($2::uuid[])",
    [workspaceId, [...new Set(a.teamIds)]],
  );
  if ((t?.n ?? 0) !== new Set(a.teamIds).size) throw notFound("Team");
  const [u] = await q.query<{ n: number }>(
    "select count(*)::int as n from users where workspace_id = $1 and id = any($2::uuid[])",
    [workspaceId, [...new Set(a.userIds)]],
  );
  if ((u?.n ?? 0) !== new Set(a.userIds).size) throw notFound("User");
}

async function insertRules(
  q: Queryable,
  workspaceId: string,
  ownerId: string | null,
  rules: (RuleInput & { recipients?: Audience | null })[],
) {
  for (const r of rules) {
    await q.query(
      `insert into notification_rules (workspace_id, owner_id, recipients, match, tag_id, connection_id, means, timing, delay_minutes)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        workspaceId,
        ownerId,
        r.recipients ? JSON.stringify(r.recipients) : null,
        r.match,
        r.match === "tag" ? r.tagId : null,
        r.match === "channel" ? r.connectionId : null,
        [...new Set(r.means)],
        r.timing,
        r.timing === "delay" ? r.delayMinutes : 0,
      ],
    );
  }
}

const RULE_COLS = "id, match, tag_id, connection_id, means, timing, delay_minutes, recipients";

async function unreadCount(q: Queryable, userId: string) {
  const [r] = await q.query<{ n: number }>(
    "select count(*)::int as n from notifications where user_id = $1 and read_at is null",
    [userId],
  );
  return r?.n ?? 0;
}

export async function notificationRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/notifications",
    {
      schema: {
        tags,
        summary: "The caller's notification centre, newest first (cursor paging with `before`)",
        querystring: z.object({
          before: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(100).default(30),
        }),
        response: {
          200: z.object({
            notifications: z.array(AgentNotification),
            unread: z.number().int(),
            nextBefore: z.string().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const rows = await ctx.db.query<Parameters<typeof presentNotification>[0]>(
        `select ${NOTIFICATION_COLS} from notifications n
         where user_id = $1 and ($2::uuid is null or (created_at, id) < (
           select created_at, id from notifications where id = $2 and user_id = $1))
         order by created_at desc, id desc limit $3`,
        [actor.userId, req.query.before ?? null, req.query.limit + 1],
      );
      const page = rows.slice(0, req.query.limit);
      return {
        notifications: page.map(presentNotification),
        unread: await unreadCount(ctx.db, actor.userId),
        nextBefore: rows.length > req.query.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  );

  app.post(
    "/api/notifications/read",
    {
      schema: {
        tags,
        summary: "Mark notifications read: the given ones, or all",
        body: z.union([
          z.object({ ids: z.array(z.uuid()).min(1).max(500) }),
          z.object({ all: z.literal(true) }),
        ]),
        response: { 200: z.object({ unread: z.number().int() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const ids = "ids" in req.body ? req.body.ids : null;
      await ctx.db.query(
        `update notifications set read_at = $3 where user_id = $1 and read_at is null
           and ($2::uuid[] is null or id = any($2::uuid[]))`,
        [actor.userId, ids, ctx.clock.now()],
      );
      return { unread: await unreadCount(ctx.db, actor.userId) };
    },
  );

  const SettingsResponse = z.object({
    settings: SettingsSchema,
    emailAvailable: z.boolean(),
    pushSubscriptions: z.number().int(),
    mutedConversationIds: z.array(z.string()),
  });
  const settingsResponse = async (userId: string) => {
    const [row] = await ctx.db.query<SettingsRow>(
      `select ${SETTINGS_COLS} from notification_settings where user_id = $1`,
      [userId],
    );
    const [subs] = await ctx.db.query<{ n: number }>(
      "select count(*)::int as n from push_subscriptions where user_id = $1",
      [userId],
    );
    const muted = await ctx.db.query<{ conversation_id: string }>(
      "select conversation_id from conversation_mutes where user_id = $1 order by created_at desc limit 500",
      [userId],
    );
    return {
      settings: presentSettings(row),
      emailAvailable: Boolean(ctx.config.SMTP_HOST),
      pushSubscriptions: subs?.n ?? 0,
      mutedConversationIds: muted.map((m) => m.conversation_id),
    };
  };

  app.get(
    "/api/notifications/settings",
    {
      schema: {
        tags,
        summary: "The caller's notification settings (R402)",
        response: { 200: SettingsResponse },
      },
    },
    async (req) => settingsResponse(actorOf(req).userId),
  );

  app.put(
    "/api/notifications/settings",
    {
      schema: {
        tags,
        summary: "Change the caller's notification settings (only the fields given)",
        body: SettingsInput,
        response: { 200: SettingsResponse },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const b = req.body;
      const [row] = await ctx.db.query<SettingsRow>(
        `select ${SETTINGS_COLS} from notification_settings where user_id = $1`,
        [actor.userId],
      );
      const cur = presentSettings(row);
      const next = {
        matrix: { ...cur.matrix, ...(b.matrix ?? {}) },
        sound: b.sound ?? cur.sound,
        dnd: b.dnd ?? cur.dnd,
        quietHours: b.quietHours === undefined ? cur.quietHours : b.quietHours,
        timeZone: b.timeZone ?? cur.timeZone,
        pausedUntil: b.pausedUntil === undefined ? cur.pausedUntil : b.pausedUntil,
        emailMode: b.emailMode ?? cur.emailMode,
        digestHour: b.digestHour ?? cur.digestHour,
      };
      await ctx.db.query(
        `insert into notification_settings (user_id, workspace_id, matrix, sound, dnd, quiet_from, quiet_to, time_zone, paused_until, email_mode, digest_hour, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         on conflict (user_id) do update set matrix = excluded.matrix, sound = excluded.sound, dnd = excluded.dnd,
           quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, time_zone = excluded.time_zone,
           paused_until = excluded.paused_until, email_mode = excluded.email_mode, digest_hour = excluded.digest_hour,
           updated_at = excluded.updated_at`,
        [
          actor.userId,
          actor.workspaceId,
          JSON.stringify(next.matrix),
          next.sound,
          next.dnd,
          next.quietHours ? minutesOf(next.quietHours.from) : null,
          next.quietHours ? minutesOf(next.quietHours.to) : null,
          next.timeZone,
          next.pausedUntil,
          next.emailMode,
          next.digestHour,
          ctx.clock.now(),
        ],
      );
      return settingsResponse(actor.userId);
    },
  );

  app.put(
    "/api/conversations/:id/mute",
    {
      schema: {
        tags,
        summary: "Mute or unmute a conversation's notifications for the caller",
        params: z.object({ id: z.uuid() }),
        body: z.object({ muted: z.boolean() }),
        response: { 200: z.object({ muted: z.boolean() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await conversationForActor(ctx.db, actor, req.params.id);
      if (req.body.muted) {
        await ctx.db.query(
          `insert into conversation_mutes (user_id, conversation_id, workspace_id) values ($1, $2, $3)
           on conflict do nothing`,
          [actor.userId, req.params.id, actor.workspaceId],
        );
      } else {
        await ctx.db.query("delete from conversation_mutes where user_id = $1 and conversation_id = $2", [
          actor.userId,
          req.params.id,
        ]);
      }
      return { muted: req.body.muted };
    },
  );

  app.get(
    "/api/notifications/push-key",
    {
      schema: {
        tags,
        summary: "The server's VAPID public key, for PushManager.subscribe()",
        response: { 200: z.object({ publicKey: z.string() }) },
      },
    },
    async () => ({ publicKey: (await vapidKeys(ctx)).publicKey }),
  );

  const Subscription = z.object({
    endpoint: z.url({ protocol: /^https?$/ }).max(2048),
    keys: z.object({
      p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, "must be a base64url P-256 public key"),
      auth: z.string().regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, "must be a base64url auth secret"),
    }),
  });

  app.post(
    "/api/notifications/push-subscriptions",
    {
      schema: {
        tags,
        summary: "Register this browser's push subscription for the caller",
        body: Subscription,
        response: { 201: z.object({ ok: z.literal(true) }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      // Browsers' push services are public https servers; anything else would make the server post to an
      // address of the caller's choosing.
      const refused = await refusalOfUrl(egressPolicy(ctx.config), req.body.endpoint, { httpsOnly: true });
      if (refused) throw badRequest(`This push endpoint cannot be used: ${refused}.`);
      // An endpoint belongs to one browser profile: re-registering moves it to whoever signed in there.
      await ctx.db.query(
        `insert into push_subscriptions (workspace_id, user_id, endpoint, p256dh, auth) values ($1, $2, $3, $4, $5)
         on conflict (endpoint) do update set workspace_id = excluded.workspace_id, user_id = excluded.user_id,
           p256dh = excluded.p256dh, auth = excluded.auth`,
        [actor.workspaceId, actor.userId, req.body.endpoint, req.body.keys.p256dh, req.body.keys.auth],
      );
      return reply.code(201).send({ ok: true as const });
    },
  );

  app.post(
    "/api/notifications/push-subscriptions/remove",
    {
      schema: {
        tags,
        summary: "Forget one of the caller's push subscriptions (this browser turned notifications off)",
        body: z.object({ endpoint: z.string().min(1).max(2048) }),
        response: { 200: z.object({ removed: z.boolean() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const rows = await ctx.db.query(
        "delete from push_subscriptions where user_id = $1 and endpoint = $2 returning id",
        [actor.userId, req.body.endpoint],
      );
      return { removed: rows.length > 0 };
    },
  );

  app.get(
    "/api/notification-rules",
    {
      schema: {
        tags,
        summary: "Read-notification rules (R304): the caller's own, and the workspace's with its policy",
        response: {
          200: z.object({
            own: z.array(Rule),
            workspace: z.array(Rule),
            policy: Policy,
            canManageOwn: z.boolean(),
          }),
        },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const rows = await ctx.db.query<RuleRow & { owner_id: string | null }>(
        `select ${RULE_COLS}, owner_id from notification_rules
         where workspace_id = $1 and (owner_id is null or owner_id = $2) order by created_at, id`,
        [actor.workspaceId, actor.userId],
      );
      const me = { id: actor.userId, role: actor.role, teamIds: actor.teamIds };
      return {
        own: rows.filter((r) => r.owner_id).map(presentRule),
        // An agent sees the workspace rules that apply to them; admins see them all.
        workspace: rows
          .filter((r) => !r.owner_id && (isAdmin(actor.role) || inAudience(r.recipients, me)))
          .map(presentRule),
        policy: await policyOf(ctx.db, actor.workspaceId),
        canManageOwn: await canManageOwnRules(ctx.db, actor),
      };
    },
  );

  app.put(
    "/api/notification-rules/mine",
    {
      schema: {
        tags,
        summary: "Replace the caller's own read-notification rules",
        body: z.object({ rules: z.array(RuleInput).max(20) }),
        response: { 200: z.object({ own: z.array(Rule) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!(await canManageOwnRules(ctx.db, actor)))
        throw forbidden("Your workspace's policy does not let you manage read notifications; ask an admin.");
      await checkRuleRefs(ctx.db, actor.workspaceId, req.body.rules);
      await ctx.db.tx(async (q) => {
        await q.query("delete from notification_rules where workspace_id = $1 and owner_id = $2", [
          actor.workspaceId,
          actor.userId,
        ]);
        await insertRules(q, actor.workspaceId, actor.userId, req.body.rules);
      });
      const rows = await ctx.db.query<RuleRow>(
        `select ${RULE_COLS} from notification_rules where workspace_id = $1 and owner_id = $2 order by created_at, id`,
        [actor.workspaceId, actor.userId],
      );
      return { own: rows.map(presentRule) };
    },
  );

  app.put(
    "/api/notification-rules/workspace",
    {
      schema: {
        tags,
        summary: "Replace the workspace's read-notification rules and policy (admins)",
        body: z.object({ rules: z.array(WorkspaceRuleInput).max(50), policy: Policy }),
        response: { 200: z.object({ workspace: z.array(Rule), policy: Policy }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!isAdmin(actor.role))
        throw forbidden("Only an owner or admin can change workspace notification rules.");
      await checkRuleRefs(ctx.db, actor.workspaceId, req.body.rules);
      for (const a of [
        req.body.policy.readReceive,
        req.body.policy.readManage,
        ...req.body.rules.map((r) => r.recipients),
      ])
        await checkAudience(ctx.db, actor.workspaceId, a ?? null);
      await ctx.db.tx(async (q) => {
        await q.query("delete from notification_rules where workspace_id = $1 and owner_id is null", [
          actor.workspaceId,
        ]);
        await insertRules(q, actor.workspaceId, null, req.body.rules);
        await q.query(
          `insert into notification_policies (workspace_id, read_receive, read_manage, updated_at) values ($1, $2, $3, now())
           on conflict (workspace_id) do update set read_receive = excluded.read_receive, read_manage = excluded.read_manage,
             updated_at = excluded.updated_at`,
          [
            actor.workspaceId,
            req.body.policy.readReceive ? JSON.stringify(req.body.policy.readReceive) : null,
            req.body.policy.readManage ? JSON.stringify(req.body.policy.readManage) : null,
          ],
        );
      });
      const rows = await ctx.db.query<RuleRow>(
        `select ${RULE_COLS} from notification_rules where workspace_id = $1 and owner_id is null order by created_at, id`,
        [actor.workspaceId],
      );
      return { workspace: rows.map(presentRule), policy: await policyOf(ctx.db, actor.workspaceId) };
    },
  );

  app.put(
    "/api/messages/:messageId/important",
    {
      schema: {
        tags,
        summary: "Mark or unmark one of the workspace's outgoing messages as important (for read rules)",
        params: z.object({ messageId: z.uuid() }),
        body: z.object({ important: z.boolean() }),
        response: { 200: z.object({ important: z.boolean() }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const [m] = await ctx.db.query<{ conversation_id: string; direction: string }>(
        "select conversation_id, direction from messages where workspace_id = $1 and id = $2",
        [actor.workspaceId, req.params.messageId],
      );
      if (!m) throw notFound("Message");
      await conversationForActor(ctx.db, actor, m.conversation_id).catch(() => {
        throw notFound("Message");
      });
      if (m.direction !== "outbound") throw badRequest("Only an outgoing message can be marked important.");
      if (req.body.important) {
        await ctx.db.query(
          `insert into important_messages (message_id, workspace_id, marked_by) values ($1, $2, $3) on conflict do nothing`,
          [req.params.messageId, actor.workspaceId, actor.userId],
        );
      } else {
        await ctx.db.query("delete from important_messages where message_id = $1 and workspace_id = $2", [
          req.params.messageId,
          actor.workspaceId,
        ]);
      }
      return { important: req.body.important };
    },
  );

  app.get(
    "/api/conversations/:id/important-messages",
    {
      schema: {
        tags,
        summary: "The ids of a conversation's messages marked important",
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ messageIds: z.array(z.string()) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await conversationForActor(ctx.db, actor, req.params.id);
      // The conversation's messages (by their conversation index), each probed in the marks' primary key.
      const rows = await ctx.db.query<{ message_id: string }>(
        `select im.message_id from messages m join important_messages im on im.message_id = m.id
         where m.conversation_id = $1 and im.workspace_id = $2 order by m.seq`,
        [req.params.id, actor.workspaceId],
      );
      return { messageIds: rows.map((r) => r.message_id) };
    },
  );
}
