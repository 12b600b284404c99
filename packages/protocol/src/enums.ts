import { z } from "zod";

export const Role = z.enum(["owner", "admin", "supervisor", "agent"]);
export type Role = z.infer<typeof Role>;

export const ConversationStatus = z.enum(["open", "in_progress", "closed"]);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const MessageDirection = z.enum(["inbound", "outbound", "internal"]);
export type MessageDirection = z.infer<typeof MessageDirection>;

export const MessageKind = z.enum(["message", "note", "event"]);
export type MessageKind = z.infer<typeof MessageKind>;

export const AuthorType = z.enum(["contact", "user", "system", "bot"]);
export type AuthorType = z.infer<typeof AuthorType>;

/** Ordered: a message's state only ever moves to a later step (or to failed). */
export const DeliveryState = z.enum(["queued", "sent", "delivered", "read", "failed"]);
export type DeliveryState = z.infer<typeof DeliveryState>;

/** Normalised reasons an outgoing message failed; the provider's own words go to `failureDetail`. */
export const FailureReason = z.enum([
  "provider_error",
  "window_closed",
  "blocked_by_user",
  "not_permitted",
  "contact_blocked",
  "visitor_left",
  "too_long",
  "attachment_rejected",
  "unsubscribed",
  /** The channel kept answering "too many requests" for longer than the configured wait. */
  "rate_limited",
]);
export type FailureReason = z.infer<typeof FailureReason>;

export const ChannelType = z.enum([
  "api",
  "telegram",
  /** A person's own Telegram account through the user API (MTProto), not a bot (R452). */
  "telegram_user",
  "whatsapp",
  "viber",
  "messenger",
  "instagram",
  "widget",
  "email",
  "line",
  "wechat",
  "sms",
]);
export type ChannelType = z.infer<typeof ChannelType>;

export const SystemEventKind = z.enum([
  "assigned",
  "unassigned",
  "operator_added",
  "operator_left",
  "status_changed",
  "reopened",
  "closed",
  /** Handed to a bot (R702): `{ botId }`. */
  "bot_assigned",
  /** A bot handed the conversation back to people (R702): `{ botId, reason }`. */
  "handed_over",
  /** The conversation was marked important (starred) for the team, or no longer. */
  "marked_important",
  "unmarked_important",
  /** Snoozed: `{ until }` (ISO instant). */
  "snoozed",
  /** The snooze ended: `{ reason }` — `time` (its time came), `customer` (the customer wrote) or `manual`. */
  "unsnoozed",
]);
export type SystemEventKind = z.infer<typeof SystemEventKind>;

/** An agent's presence: online, away (idle or by choice), offline (no open socket). */
export const Presence = z.enum(["online", "away", "offline"]);
export type Presence = z.infer<typeof Presence>;

/**
 * The named rights a role grants (R801). Owners and admins hold all of them; what supervisors, agents and
 * custom roles hold is the workspace's choice, starting from `ROLE_DEFAULT_PERMISSIONS`.
 */
export const Permission = z.enum([
  /** See and handle every conversation, not only one's own, one's team's queue and those one operates. */
  "conversations.view_all",
  "conversations.reply",
  "conversations.delete",
  "conversations.bulk",
  /** Export the message log and other lists as files. */
  "data.export",
  /** Export and erase a contact's personal data (privacy requests). */
  "contacts.erase",
  "channels.manage",
  "people.manage",
  /** The read-receipt and notification policy of the workspace. */
  "policy.manage",
  "reports.view",
  /** Shared canned replies and tags. */
  "content.manage",
  "automation.manage",
  "api.manage",
  "audit.view",
  /** The workspace's own settings: name, retention, security policy. */
  "workspace.manage",
]);
export type Permission = z.infer<typeof Permission>;
export const ALL_PERMISSIONS: readonly Permission[] = Permission.options;

/** What each built-in role may do until the workspace changes it; owners and admins always hold all. */
export const ROLE_DEFAULT_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ALL_PERMISSIONS,
  admin: ALL_PERMISSIONS,
  supervisor: [
    "conversations.view_all",
    "conversations.reply",
    "conversations.bulk",
    "data.export",
    "reports.view",
    "content.manage",
  ],
  agent: ["conversations.reply", "conversations.bulk"],
};

/** The built-in roles whose rights a workspace may change, and the bases a custom role may have. */
export const EditableRole = z.enum(["supervisor", "agent"]);
export type EditableRole = z.infer<typeof EditableRole>;

/** Each permission's name as people read it (English; the web app translates them). */
export const PERMISSION_NAMES: Record<Permission, string> = {
  "conversations.view_all": "See all conversations",
  "conversations.reply": "Reply to customers",
  "conversations.delete": "Delete conversations",
  "conversations.bulk": "Bulk actions",
  "data.export": "Export data",
  "contacts.erase": "Export and erase contact data",
  "channels.manage": "Manage channels",
  "people.manage": "Manage people and roles",
  "policy.manage": "Manage receipt and notification policy",
  "reports.view": "See reports",
  "content.manage": "Manage canned replies and tags",
  "automation.manage": "Manage automation",
  "api.manage": "Manage API access",
  "audit.view": "See the audit log",
  "workspace.manage": "Manage workspace settings",
};
