import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { markImportant } from "./commands/mark-important";
import { markNotificationsRead } from "./commands/mark-read";
import { muteConversation } from "./commands/mute-conversation";
import { removePhone } from "./commands/remove-phone";
import { replaceOwnRules } from "./commands/replace-own-rules";
import { replaceWorkspaceRules } from "./commands/replace-workspace-rules";
import { requestPhoneCode } from "./commands/request-phone-code";
import { subscribePush } from "./commands/subscribe-push";
import { unsubscribePush } from "./commands/unsubscribe-push";
import { updateNotificationSettings } from "./commands/update-settings";
import { verifyPhone } from "./commands/verify-phone";
import { vapidKeys } from "./push";
import { importantMessageIds } from "./queries/important-messages";
import { listRules } from "./queries/list-rules";
import { notificationPage } from "./queries/notification-page";
import { canManageOwnRules } from "./queries/rule-policy";
import { userNotificationSettings } from "./queries/user-settings";
import {
  Page,
  PageQuery,
  PhoneBody,
  PhoneCodeBody,
  Policy,
  ReadBody,
  Rule,
  RuleInput,
  SettingsResponse,
  Subscription,
  WorkspaceRuleInput,
} from "./schema";
import { SettingsInput } from "./settings";

const tags = ["notifications"];

export async function notificationRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/notifications",
    {
      schema: {
        tags,
        summary: "The caller's notification centre, newest first (cursor paging with `before`)",
        querystring: PageQuery,
        response: { 200: Page },
      },
    },
    async (req) => notificationPage(ctx.db, actorOf(req).userId, req.query),
  );

  app.post(
    "/api/notifications/read",
    {
      schema: {
        tags,
        summary: "Mark notifications read: the given ones, or all",
        body: ReadBody,
        response: { 200: z.object({ unread: z.number().int() }) },
      },
    },
    async (req) => markNotificationsRead(ctx, actorOf(req).userId, "ids" in req.body ? req.body.ids : null),
  );

  app.get(
    "/api/notifications/settings",
    {
      schema: {
        tags,
        summary: "The caller's notification settings (R402)",
        response: { 200: SettingsResponse },
      },
    },
    async (req) => userNotificationSettings(ctx, actorOf(req).userId, actorOf(req).workspaceId),
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
      await updateNotificationSettings(ctx, actor, req.body);
      return userNotificationSettings(ctx, actor.userId, actor.workspaceId);
    },
  );

  app.post(
    "/api/notifications/phone",
    {
      schema: {
        tags,
        summary:
          "Send a six-digit code by SMS to the caller's number, to verify it for SMS notifications (R304)",
        body: PhoneBody,
        response: { 200: z.object({ pendingPhone: z.string(), expiresAt: z.string() }) },
      },
    },
    async (req) => requestPhoneCode(ctx, actorOf(req), req.body.phone),
  );

  app.post(
    "/api/notifications/phone/verify",
    {
      schema: {
        tags,
        summary: "Confirm the caller's number with the code it received (single-use, 10 minutes)",
        body: PhoneCodeBody,
        response: { 200: z.object({ phone: z.string(), verified: z.boolean() }) },
      },
    },
    async (req) => verifyPhone(ctx, actorOf(req), req.body.code),
  );

  app.delete(
    "/api/notifications/phone",
    {
      schema: {
        tags,
        summary: "Forget the caller's phone number (no more SMS notifications)",
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await removePhone(ctx, actorOf(req));
      return reply.code(204).send(null);
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
    async (req) => muteConversation(ctx, actorOf(req), req.params.id, req.body.muted),
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
      await subscribePush(ctx, actorOf(req), req.body);
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
    async (req) => unsubscribePush(ctx, actorOf(req).userId, req.body.endpoint),
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
    async (req) => listRules(ctx.db, actorOf(req)),
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
      return replaceOwnRules(ctx, actor, req.body.rules);
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
      mustHold(actor, "policy.manage");
      return replaceWorkspaceRules(ctx, actor, req.body, requestSource(req));
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
    async (req) => markImportant(ctx, actorOf(req), req.params.messageId, req.body.important),
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
    async (req) => importantMessageIds(ctx, actorOf(req), req.params.id),
  );
}
