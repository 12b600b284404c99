import { z } from "zod";
import { ConversationStatus, Presence } from "./enums";
import { AgentNotification, Contact, Conversation, Message, ReadCursor, UnreadState } from "./models";
import { Task } from "./tasks";

/**
 * Domain events. Every one is written in the same transaction as the change it describes and carries
 * the workspace's sequence number; realtime, notifications and audit consume them.
 */
const base = {
  seq: z.number().int(),
  workspaceId: z.string(),
  at: z.string(),
  /** Set when an automation rule's action caused the change: that rule never runs again on it. */
  cause: z.object({ ruleId: z.string() }).optional(),
};

export const DomainEvent = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("message.created"),
    conversationId: z.string(),
    message: Message,
    /** The conversation as it is after this message, so lists update without a refetch. */
    conversation: Conversation.optional(),
  }),
  z.object({ ...base, type: z.literal("message.updated"), conversationId: z.string(), message: Message }),
  z.object({
    ...base,
    type: z.literal("conversation.created"),
    conversationId: z.string(),
    conversation: Conversation,
  }),
  z.object({
    ...base,
    type: z.literal("conversation.updated"),
    conversationId: z.string(),
    conversation: Conversation,
  }),
  z.object({
    ...base,
    type: z.literal("conversation.assigned"),
    conversationId: z.string(),
    conversation: Conversation,
    previousAssigneeId: z.string().nullable(),
    byUserId: z.string().nullable(),
  }),
  z.object({
    ...base,
    type: z.literal("conversation.status_changed"),
    conversationId: z.string(),
    conversation: Conversation,
    previousStatus: ConversationStatus,
    byUserId: z.string().nullable(),
  }),
  z.object({
    ...base,
    type: z.literal("conversation.deleted"),
    conversationId: z.string(),
    byUserId: z.string().nullable(),
  }),
  /** A contact came to be: a customer's first message or channel event. Every agent of the workspace sees contacts. */
  z.object({ ...base, type: z.literal("contact.created"), contactId: z.string(), contact: Contact }),
  /** A contact's name, fields, tags, blocking or read-tracking consent changed: the contact as it is now. */
  z.object({ ...base, type: z.literal("contact.updated"), contactId: z.string(), contact: Contact }),
  /** A contact was erased on request (R307) with their conversations: only its id, no personal data. */
  z.object({
    ...base,
    type: z.literal("contact.erased"),
    contactId: z.string(),
    byUserId: z.string().nullable(),
  }),
  /** A task's reminder time came (R212): for its assignee only. */
  z.object({ ...base, type: z.literal("task.reminder"), task: Task }),
  z.object({
    ...base,
    type: z.literal("read_cursor.updated"),
    conversationId: z.string(),
    cursor: ReadCursor,
  }),
  /** To one agent only (its audience): an entry of their notification centre. */
  z.object({ ...base, type: z.literal("notification.created"), notification: AgentNotification }),
]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type DomainEventType = DomainEvent["type"];

/** Ephemeral signals: not stored, no sequence number. */
export const EphemeralSignal = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("typing"),
    conversationId: z.string(),
    userId: z.string().nullable(),
    contact: z.boolean(),
    on: z.boolean(),
  }),
  /** The agent's own unread state of a conversation (`UnreadState`), and their count of unread conversations. */
  z.object({
    type: z.literal("unread.changed"),
    ...UnreadState.shape,
    unreadConversations: z.number().int(),
  }),
  /** A colleague's presence changed (sockets opened or closed, away set or cleared). */
  z.object({ type: z.literal("presence.changed"), userId: z.string(), presence: Presence }),
]);
export type EphemeralSignal = z.infer<typeof EphemeralSignal>;

/** Frames the server sends on the agent socket. */
export type ServerFrame =
  | { type: "hello"; userId: string; workspaceId: string; lastSeq: number }
  | { type: "event"; event: DomainEvent }
  /** Several events committed together, in sequence order. */
  | { type: "events"; events: DomainEvent[] }
  | { type: "signal"; signal: EphemeralSignal }
  | { type: "resync_required"; lastSeq: number }
  /** The user's role, rights or teams changed: fetch the session and what it may see again. */
  | { type: "access" }
  | { type: "error"; code: string; message: string };

/** Frames an agent socket may send. */
export const ClientFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("typing"), conversationId: z.string().uuid(), on: z.boolean() }),
  z.object({ type: z.literal("ping") }),
  /** This socket's presence: away after inactivity or by choice, online otherwise. */
  z.object({ type: z.literal("presence"), state: z.enum(["online", "away"]) }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
