import type { Attachment, DeliveryState, FailureReason } from "@parley/protocol";
import type { InboundAttachment } from "./media";

/** What every adapter turns a provider's webhook into. */
export type InboundEvent =
  | {
      kind: "message";
      providerMessageId: string;
      externalContactId: string;
      contact: {
        name?: string | null;
        nickname?: string | null;
        email?: string | null;
        phone?: string | null;
      };
      text: string | null;
      /** Files; one with `pending` is downloaded by a background job after the webhook is acknowledged. */
      attachments: InboundAttachment[];
      quotedProviderMessageId?: string | null;
      at: Date;
      /**
       * true when the business itself sent it from the provider's own app (an echo): recorded as an agent
       * message (outbound, already sent), not as the customer's.
       */
      echo?: boolean;
      source?: Record<string, string>;
      /**
       * The provider states the sender's current profile (WhatsApp `contacts[].profile.name`, Viber
       * `sender.name`): a changed name is applied to the identity, and to the contact while its name is
       * still the provider-given one (see modules/ingest/ingest-contacts.ts).
       */
      profile?: boolean;
      /** A message from the customer shows they are subscribed again (Viber): clears an unsubscription. */
      subscribes?: boolean;
      /**
       * A comment under one of the business's posts (R451): it goes to the conversation of this post and
       * commenter (`externalContactId` is `commentContactId(postId, authorId)`), not to direct messages.
       * An echo (the business's own comment) goes to the conversation of the comment it answers.
       */
      comment?: InboundComment;
    }
  /** A comment was edited (its new text) or removed by its author (R451). */
  | {
      kind: "comment_changed";
      providerMessageId: string;
      change: "edited" | "removed";
      text: string | null;
      at: Date;
    }
  /**
   * The account was @mentioned (Instagram `mentions`): in a comment (`commentId`) or in the caption of the
   * media. The webhook carries only the ids: the mention is recorded and its content fetched by a job.
   */
  | { kind: "mention"; mediaId: string; commentId: string | null; at: Date }
  /** Something the webhook reported that Parley acknowledges but does not store, and why (logged). */
  | { kind: "ignored"; reason: string; at: Date }
  | {
      kind: "status";
      providerMessageId: string;
      state: Exclude<DeliveryState, "queued">;
      at: Date;
      reason?: FailureReason;
      detail?: string | null;
    }
  /**
   * Every outgoing message to this contact up to `upTo` was read: created at or before a time (Messenger), or
   * sent at or before a named message of that conversation (Instagram's `read.mid`).
   */
  | {
      kind: "read_watermark";
      externalContactId: string;
      upTo: Date | { providerMessageId: string };
      at: Date;
    }
  /**
   * The customer reacted to a message with an emoji, or took their reaction back ("unreact"). A reaction is an
   * interaction with the business: it renews the messaging window like a message (Messenger).
   */
  | {
      kind: "reaction";
      providerMessageId: string;
      externalContactId: string;
      action: "react" | "unreact";
      emoji: string | null;
      at: Date;
    }
  /**
   * Every outgoing message to this contact created up to `upTo` reached the customer (Messenger's delivery
   * watermark): sent ones become delivered; nothing moves backwards.
   */
  | { kind: "delivery_watermark"; externalContactId: string; upTo: Date; at: Date }
  /**
   * A customer the provider tells about without a message (Viber `subscribed`, `conversation_started`):
   * the contact and identity are stored so agents can find and write to them.
   */
  | {
      kind: "contact";
      externalContactId: string;
      contact: { name?: string | null; avatarUrl?: string | null };
      /** true: they are subscribed (clears an unsubscription); false: they only opened the chat. */
      subscribed: boolean;
      /** They opened the chat and may be greeted in the webhook's answer (Viber's welcome message). */
      greet?: boolean;
      at: Date;
    }
  /** The customer unsubscribed (Viber `unsubscribed`): nothing may be sent to them until they return. */
  | { kind: "unsubscribed"; externalContactId: string; at: Date }
  /**
   * The chat moved to another id (a Telegram group that became a supergroup): the identity takes the new
   * id, so the conversation continues there; an identity already holding the new id is merged into it.
   */
  | { kind: "identity_moved"; fromExternalId: string; toExternalId: string; at: Date }
  /**
   * An account- or number-level problem the provider reports (WhatsApp `value.errors[]`), about no single
   * message: recorded in the connection's health and diagnostics, and the workspace's admins are told.
   */
  | { kind: "account_error"; code: string; title: string; detail: string | null; at: Date };

/** A comment's place: its post, the comment it answers (null: a top-level comment), its author. */
export interface InboundComment {
  postId: string;
  parentId: string | null;
  authorId: string;
  /** The post's link, when the webhook gives it. */
  permalinkUrl?: string | null;
  /** A mention of the account on someone else's media (Instagram), and why it could not be read. */
  mention?: "comment" | "caption";
  mentionError?: string | null;
}

/** A mention's content as the provider gives it (Instagram `mentioned_comment` / `mentioned_media`). */
export interface MentionDetails {
  /** The comment's text, or the caption when the account was mentioned in it. */
  text: string | null;
  at: Date | null;
  /** Who wrote it: the commenter, or the media's owner for a caption. */
  author: { id: string | null; username: string | null };
  media: { id: string; caption: string | null; permalinkUrl: string | null; pictureUrl: string | null };
}

/** The identity of a commenter on one post: one conversation per post and commenter. */
export const commentContactId = (postId: string, authorId: string) => `comment:${postId}:${authorId}`;
/** The commenter's own id in a comment identity (null: not a comment identity). */
export const commenterOf = (externalId: string) =>
  externalId.startsWith("comment:") ? externalId.slice(externalId.lastIndexOf(":") + 1) : null;

/** A post's details as the provider gives them. */
export interface PostDetails {
  text: string | null;
  permalinkUrl: string | null;
  /** The provider's (expiring) link to the post's picture. */
  pictureUrl: string | null;
}

/** A customer's public profile as the provider gives it (looked up by the sender's id). */
export interface ContactProfile {
  name: string | null;
  /** A user name (Instagram `username`). */
  nickname: string | null;
  /** Where the provider serves the profile picture (an expiring link: Parley keeps its own copy). */
  avatarUrl: string | null;
}

export interface OutgoingMessage {
  id: string;
  conversationId: string;
  externalContactId: string;
  text: string | null;
  attachments: Attachment[];
  quotedProviderMessageId: string | null;
  /**
   * Send with a provider message tag (Messenger / Instagram `HUMAN_AGENT`: a human reply after the standard
   * window, within 7 days). Set by the window policy; adapters without tags ignore it.
   */
  tag?: "HUMAN_AGENT" | null;
  /**
   * Send as this approved provider template (WhatsApp outside the 24-hour window) instead of free text;
   * `text` then holds the rendered template for display only. Adapters without templates ignore it.
   */
  template?: OutgoingTemplate | null;
  /**
   * A reply to a comment (R451): public (under the comment) or private (to the commenter's inbox, once per
   * comment); `commentId` is the provider's id of the comment answered.
   */
  comment?: {
    mode: "public" | "private";
    commentId: string;
    /** A reply to a mention (Instagram `POST /{ig-user-id}/mentions`): the media and, unless a caption, the comment. */
    mention?: { mediaId: string; commentId: string | null } | null;
  } | null;
  /**
   * Progress of a message the adapter sends as several provider messages, kept in the database: the provider
   * ids of the parts an earlier attempt (of any worker process) already sent, in order, and `record`, which
   * the adapter awaits after each accepted part before sending the next. A retry resumes after `sent`.
   */
  parts?: OutgoingParts;
}

export interface OutgoingParts {
  sent: readonly string[];
  record(index: number, providerMessageId: string): Promise<void>;
}

/** A template to send: its name, language and the values of its placeholders per component. */
export interface OutgoingTemplate {
  name: string;
  language: string;
  components: TemplateComponentValues[];
}
export interface TemplateComponentValues {
  type: "header" | "body" | "button";
  /** Buttons: the button's kind (e.g. "url") and position in the template. */
  subType?: string;
  index?: number;
  /**
   * Positional values in order; `name` is set for named ({{first_name}}) placeholders. A media header's one
   * parameter names the message's attachment that fills it (its index in `attachments`).
   */
  parameters: Array<TemplateTextParameter | TemplateMediaParameter>;
}
export interface TemplateTextParameter {
  type: "text";
  text: string;
  name?: string;
}
export interface TemplateMediaParameter {
  type: "image" | "video" | "document";
  attachment: number;
}

/** A provider template as synced into Parley (see modules/templates). */
export interface ProviderTemplate {
  providerId: string | null;
  name: string;
  language: string;
  category: string | null;
  status: "APPROVED" | "PENDING" | "REJECTED" | "PAUSED" | "DISABLED";
  /** header / body / footer / buttons as the provider describes them, with their {{n}} placeholders. */
  components: unknown[];
}
