import { z } from "zod";
import { CommentReplies, ConversationKind, MessageComment } from "./comments";
import {
  AuthorType,
  ChannelType,
  ConversationStatus,
  DeliveryState,
  FailureReason,
  MessageDirection,
  MessageKind,
  Role,
} from "./enums";

export const Attachment = z.object({
  name: z.string().max(255),
  mimeType: z.string().max(255),
  size: z.number().int().nonnegative(),
  /** Where to fetch it: Parley's own `/api/files/<id>` for stored media. */
  url: z.string().max(2048),
  /** Set when the provider's media could not be fetched: the message is kept, the file is missing. */
  error: z.string().max(500).optional(),
  /**
   * An inbound file's download from the provider: "downloading" while a background job fetches it (`url` is
   * empty; a `message.updated` follows), "failed" when it could not be downloaded (`error` says why).
   * Absent or "ready": the file is stored at `url`.
   */
  state: z.enum(["downloading", "ready", "failed"]).optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Delivery = z.object({
  state: DeliveryState,
  queuedAt: z.string().nullable(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
  failedAt: z.string().nullable(),
  failureReason: FailureReason.nullable(),
  failureDetail: z.string().nullable(),
  /**
   * Why a queued message is not sent yet and when it is tried again: the channel is rate-limiting
   * ("too many requests") until `until`. Null when it is not waiting.
   */
  waiting: z.object({ reason: z.literal("rate_limited"), until: z.string() }).nullable(),
});
export type Delivery = z.infer<typeof Delivery>;

/** The template a message was sent as, with the values of its {{n}} placeholders per component. */
export const MessageTemplateRef = z.object({
  name: z.string(),
  language: z.string(),
  variables: z.object({
    header: z.array(z.string()).optional(),
    body: z.array(z.string()),
    buttons: z.array(z.string()).optional(),
  }),
});
export type MessageTemplateRef = z.infer<typeof MessageTemplateRef>;

/** A reaction on a message: a customer's emoji (Messenger, Instagram). One per author; removed on "unreact". */
export const MessageReaction = z.object({
  emoji: z.string(),
  authorType: AuthorType,
  at: z.string(),
});
export type MessageReaction = z.infer<typeof MessageReaction>;

export const Message = z.object({
  id: z.string(),
  seq: z.number().int(),
  conversationId: z.string(),
  direction: MessageDirection,
  kind: MessageKind,
  authorType: AuthorType,
  authorId: z.string().nullable(),
  text: z.string().nullable(),
  attachments: z.array(Attachment),
  quotedMessageId: z.string().nullable(),
  event: z.record(z.string(), z.unknown()).nullable(),
  providerMessageId: z.string().nullable(),
  delivery: Delivery.nullable(),
  /** Sent as a provider template (WhatsApp outside the 24-hour window); `text` holds the rendered text. */
  template: MessageTemplateRef.nullable(),
  /** Reactions on the message (the customer's emoji), oldest first. */
  reactions: z.array(MessageReaction),
  /** Set on comments and on the replies to them (R451). */
  comment: MessageComment.nullable().optional(),
  createdAt: z.string(),
});
export type Message = z.infer<typeof Message>;

export const ConversationPermissions = z.object({
  read: z.boolean(),
  reply: z.boolean(),
  note: z.boolean(),
  assign: z.boolean(),
  changeStatus: z.boolean(),
  delete: z.boolean(),
});
export type ConversationPermissions = z.infer<typeof ConversationPermissions>;

export const ContactSummary = z.object({
  id: z.string(),
  name: z.string().nullable(),
  nickname: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  blocked: z.boolean(),
});
export type ContactSummary = z.infer<typeof ContactSummary>;

export const ContactTag = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  pinned: z.boolean(),
});

/** A contact as the API answers it (`GET /api/contacts/:id`): the summary, the company, when it was created, its tags. */
export const Contact = ContactSummary.extend({
  company: z.string().nullable(),
  createdAt: z.string(),
  tags: z.array(ContactTag),
});
export type Contact = z.infer<typeof Contact>;

export const Conversation = z.object({
  id: z.string(),
  number: z.number().int(),
  status: ConversationStatus,
  connection: z.object({ id: z.string(), type: ChannelType, name: z.string() }),
  contact: ContactSummary,
  assigneeId: z.string().nullable(),
  operatorIds: z.array(z.string()),
  teamId: z.string().nullable(),
  botId: z.string().nullable(),
  lastActivityAt: z.string(),
  lastMessage: z
    .object({
      id: z.string(),
      text: z.string().nullable(),
      authorType: AuthorType,
      /** The person (or bot) of the workspace who wrote it; null for the customer and for system lines. */
      authorId: z.string().nullable(),
      direction: MessageDirection,
      deliveryState: DeliveryState.nullable(),
    })
    .nullable(),
  lastInboundSeq: z.number().int(),
  firstUnansweredAt: z.string().nullable(),
  lastCustomerMessageAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  source: z.record(z.string(), z.string()),
  createdAt: z.string(),
  /** direct: messages; comment: one post's comments by one person (R451), `postId` naming the post. */
  kind: ConversationKind.optional(),
  postId: z.string().nullable().optional(),
  /** Comment conversations, in the detail only: whether a public and a private reply can be sent now. */
  commentReplies: CommentReplies.optional(),
  /** What may be sent now (R502), in the conversation detail only. */
  window: z
    .object({
      allowed: z.boolean(),
      mode: z.enum(["free", "human_agent_tag", "paid"]).nullable(),
      /** When the current mode ends, or when the window closed. */
      closesAt: z.string().nullable(),
      remaining: z.number().int().nullable(),
      only: z.enum(["template", "message_tag", "nothing"]).nullable(),
      reason: z.string().nullable(),
      /** Why nothing may be sent: the channel's window, or the customer unsubscribed (null while allowed). */
      cause: z.enum(["window", "unsubscribed"]).nullable().optional(),
    })
    .optional(),
  /** For the caller only: */
  unreadCount: z.number().int().optional(),
  /** The caller marked it unread (its unread count is then at least 1). */
  markedUnread: z.boolean().optional(),
  draft: z.string().nullable().optional(),
  permissions: ConversationPermissions.optional(),
  /** Marked important (starred) for the whole team. */
  important: z.boolean().optional(),
  /** Snoozed until this instant: out of the default views until then, or until the customer writes. */
  snoozedUntil: z.string().nullable().optional(),
  /** The contact's pinned tags, in the inbox list only (R101). */
  pinnedTags: z.array(z.object({ id: z.string(), name: z.string(), color: z.string() })).optional(),
});
export type Conversation = z.infer<typeof Conversation>;

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  locale: z.string(),
  avatarUrl: z.string().nullable(),
  status: z.enum(["invited", "active", "disabled"]),
  /** The workspace's own role the person holds instead of their built-in role's rights (R801), if any. */
  customRole: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type User = z.infer<typeof User>;

export const ReadCursor = z.object({
  conversationId: z.string(),
  userId: z.string(),
  lastReadSeq: z.number().int(),
  markedUnread: z.boolean(),
  readAt: z.string(),
});
export type ReadCursor = z.infer<typeof ReadCursor>;

/**
 * One agent's unread state of a conversation: how many customer messages they have not read (at least 1 while
 * they marked it unread), and the seq of its last customer message when that was counted.
 */
export const UnreadState = z.object({
  conversationId: z.string(),
  unreadCount: z.number().int(),
  markedUnread: z.boolean(),
  /** The seq of the conversation's last customer message when the count was taken: the count includes it. */
  lastInboundSeq: z.number().int(),
});
export type UnreadState = z.infer<typeof UnreadState>;

/** Events an agent can be notified of (R402) and the ways a notification reaches them. */
export const NotificationEvent = z.enum([
  "new_conversation",
  "new_message",
  "assigned",
  "mention",
  "customer_read",
  "time_limit",
  /** A security alert (R804): only people who may see the audit log receive them. */
  "security_alert",
]);
export type NotificationEvent = z.infer<typeof NotificationEvent>;
export const NotificationMeans = z.enum(["inApp", "push", "email", "sms"]);
export type NotificationMeans = z.infer<typeof NotificationMeans>;

/** One entry of an agent's notification centre. */
export const AgentNotification = z.object({
  id: z.string(),
  /** A NotificationEvent, or "delivery_failed" when an email or browser notification could not be sent. */
  kind: z.string(),
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  title: z.string(),
  /** Plain text (a message's text is never HTML). */
  body: z.string(),
  /** Show a toast and play the sound (false during do-not-disturb, quiet hours, a pause, or in-app off). */
  alert: z.boolean(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type AgentNotification = z.infer<typeof AgentNotification>;
