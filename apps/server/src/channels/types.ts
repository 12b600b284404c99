import type {
  Attachment,
  ChannelCapabilities,
  ChannelType,
  DeliveryState,
  FailureReason,
} from "@parley/protocol";
import type { z } from "zod";
import type { Db } from "../db/client";
import type { EgressInit } from "../lib/egress";
import type { BlobStore } from "../storage/blob-store";

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
      attachments: Attachment[];
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
    }
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
  /** Positional values in order; `name` is set for named ({{first_name}}) placeholders. */
  parameters: Array<{ type: "text"; text: string; name?: string }>;
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

/** Provider base URLs and versions from the configuration: tests point them at local fake servers. */
export interface ChannelEndpoints {
  telegramApiBase: string;
  graphApiBase: string;
  graphApiVersion: string;
  instagramApiBase: string;
  viberApiBase: string;
}

export interface DownloadRequest {
  url: string;
  headers?: Record<string, string>;
  /** File name and type when the provider says them (otherwise taken from the response). */
  name?: string;
  mimeType?: string;
  /** Refuse bigger files (default: 100 MB). */
  maxBytes?: number;
  /** What to record as the file's origin when `url` carries a secret (Telegram puts the bot token in the path). */
  sourceUrl?: string;
}

/** What Parley gives an adapter to do its work. */
export interface AdapterContext {
  /** For adapters that keep state of their own (email: thread headers, mailbox positions). */
  db: Db;
  blobs: BlobStore;
  endpoints: ChannelEndpoints;
  /** Parley's public address (for webhook URLs the adapter registers). */
  publicUrl: string;
  /** The connection's own webhook URL: `${publicUrl}/api/webhooks/<type>/<connectionId>`. */
  webhookUrl: string;
  timeoutMs: number;
  /** The application's clock (tests move it); adapters that compare times with stored ones use it. */
  now?: () => Date;
  /**
   * Downloads a provider's media into Parley's storage now (provider links expire) and returns the stored
   * attachment. It never throws: a failed download returns an attachment whose `error` says why, so the
   * message itself is never lost.
   */
  download(request: DownloadRequest): Promise<Attachment>;
  /**
   * `fetch` for addresses an integrator or provider supplied (the API channel's outbound URL): through the
   * egress guard, which refuses non-public addresses and re-checks every redirect; throws EgressRefused.
   */
  fetchSupplied(url: string, init: EgressInit): Promise<Response>;
  /**
   * The absolute URL a provider can fetch an attachment from: Parley's own files (`/api/files/<id>`) get a
   * signed link valid for an hour; other URLs are returned as they are.
   */
  fileUrl(url: string): string;
}

export interface ConnectionInfo<C = unknown, S = unknown> {
  id: string;
  workspaceId: string;
  credentials: C;
  settings: S;
}

/** A send the provider refused or could not take; `retryable` decides between retry and failed. */
export class ChannelSendError extends Error {
  constructor(
    public readonly reason: FailureReason,
    public readonly detail: string,
    public readonly retryable: boolean,
    public readonly retryAfterMs?: number,
  ) {
    super(detail);
  }
}

/** The contract every channel adapter fulfils. */
export interface ChannelAdapter<C = unknown, S = unknown> {
  type: ChannelType;
  capabilities: ChannelCapabilities;
  /** Admin-editable settings, validated when a connection is created or changed. */
  settingsSchema: z.ZodType<S>;
  /** Credentials the admin supplies or Parley generates for a new connection. */
  createCredentials(input: unknown): C;
  /** Values to show the admin once, on creation (e.g. a generated webhook secret). */
  revealOnCreate?(credentials: C, connectionId: string, publicUrl: string): Record<string, string>;
  /** Checks the webhook's signature over the raw body bytes. */
  verify(raw: Buffer, headers: Record<string, string | string[] | undefined>, credentials: C): boolean;
  /**
   * Parses a verified webhook (and downloads its media through ctx.download); throws
   * AppError("validation_failed") on a payload it cannot read.
   */
  parse(
    raw: Buffer,
    connection: ConnectionInfo<C, S>,
    ctx: AdapterContext,
  ): InboundEvent[] | Promise<InboundEvent[]>;
  /**
   * The body to answer a verified webhook with, when the provider reads one (Viber takes a welcome message
   * in the answer to `conversation_started`); null or absent: Parley's usual `{ok, results}`.
   */
  answer?(events: InboundEvent[], connection: ConnectionInfo<C, S>): Record<string, unknown> | null;
  /**
   * Answers a provider's GET verification handshake on the webhook URL (Meta's hub.challenge): the body to
   * answer with, or null to refuse (403).
   */
  verifyChallenge?(query: Record<string, string>, connection: ConnectionInfo<C, S>): string | null;
  /**
   * Called when the connection is created and when its credentials or settings change: check the
   * credentials with the provider and register the webhook where the API allows it (Telegram setWebhook,
   * Viber set_webhook). Throw ChannelSetupError with a message the admin can act on.
   */
  activate?(connection: ConnectionInfo<C, S>, ctx: AdapterContext): Promise<void>;
  send(
    connection: ConnectionInfo<C, S>,
    message: OutgoingMessage,
    ctx: AdapterContext,
  ): Promise<{ providerMessageId: string }>;
  /**
   * Lists the connection's message templates at the provider, all pages (channels with templates only).
   * Throws ChannelSetupError when the credentials do not allow it, ChannelSendError when unreachable.
   */
  templates?(connection: ConnectionInfo<C, S>, ctx: AdapterContext): Promise<ProviderTemplate[]>;
  /**
   * Looks a customer's profile up by their id on this connection (Messenger PSID, Instagram IGSID): null when
   * the provider has none. Throws ChannelSendError (retryable or not) when the look-up fails.
   */
  profile?(
    connection: ConnectionInfo<C, S>,
    externalContactId: string,
    ctx: AdapterContext,
  ): Promise<ContactProfile | null>;
  /** Tells the customer their message was seen (channels that support it; see capabilities.markSeen). */
  markSeen?(
    connection: ConnectionInfo<C, S>,
    target: { externalContactId: string; providerMessageId: string },
    ctx: AdapterContext,
  ): Promise<void>;
}

/** Not an error: the channel asks to send this message a little later (pacing within the provider's limits). */
export class ChannelPacing extends Error {
  constructor(public readonly retryAfterMs: number) {
    super(`Paced: the next message can go in ${retryAfterMs} ms.`);
  }
}

/** A connection the provider refused to set up (bad token, webhook rejected): shown to the admin. */
export class ChannelSetupError extends Error {}
