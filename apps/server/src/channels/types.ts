import type { ChannelCapabilities, ChannelType } from "@parley/protocol";
import type { z } from "zod";
import type { AdapterContext, ConnectionInfo, DownloadRequest } from "./adapter-context";
import type { MediaSource } from "./media";
import type {
  ContactProfile,
  InboundEvent,
  MentionDetails,
  OutgoingMessage,
  PostDetails,
  ProviderTemplate,
} from "./messages";

export * from "./adapter-context";
export * from "./errors";
export * from "./media";
export * from "./messages";

/**
 * The contract every channel adapter fulfils: one object per channel type, listed once in `channels/index.ts`.
 * Its folder owns everything about the channel (see channels/README.md): the schemas of what the admin types
 * (from which the web app's connection form is generated), its capabilities, its webhook handling.
 */
export interface ChannelAdapter<C = unknown, S = unknown> {
  type: ChannelType;
  capabilities: ChannelCapabilities;
  /**
   * false: not connected from the Channels page (the web chat widget has its own set-up). Default true.
   */
  connectable?: boolean;
  /**
   * Admin-editable settings, validated when a connection is created or changed. The connection form's
   * settings fields are generated from it (labels as i18n keys in `.meta()`, see channels/form-fields.ts).
   */
  settingsSchema: z.ZodType<S>;
  /**
   * What the admin types to connect (and to replace credentials), validated by `createCredentials`; the
   * connection form's credential fields are generated from it. Absent: Parley generates every credential.
   */
  credentialsSchema?: z.ZodType;
  /** Credentials the admin supplies (checked with `credentialsSchema`) or Parley generates for a new connection. */
  createCredentials(input: unknown): C;
  /** Values to show the admin once, on creation (e.g. a generated webhook secret). */
  revealOnCreate?(credentials: C, connectionId: string, publicUrl: string): Record<string, string>;
  /**
   * Checks the webhook's signature over the raw body bytes. WeChat signs with query parameters (`query`
   * holds the webhook URL's query string); Twilio signs the full public URL (`request.url`: PUBLIC_URL + path
   * and query).
   */
  verify(
    raw: Buffer,
    headers: Record<string, string | string[] | undefined>,
    credentials: C,
    query: Record<string, string>,
    request?: { url: string },
  ): boolean;
  /**
   * Parses a verified webhook; throws AppError("validation_failed") on a payload it cannot read. Media is
   * not fetched here: files come back as `pendingAttachment(...)` (channels/media.ts) and are downloaded
   * by a background job, so a slow provider never holds the webhook up.
   */
  parse(
    raw: Buffer,
    connection: ConnectionInfo<C, S>,
    ctx: AdapterContext,
  ): InboundEvent[] | Promise<InboundEvent[]>;
  /**
   * The body to answer a verified webhook with, when the provider reads one (Viber takes a welcome message
   * in the answer to `conversation_started`), or a plain-text body (WeChat reads "success"); null or absent:
   * Parley's usual `{ok, results}`.
   */
  answer?(events: InboundEvent[], connection: ConnectionInfo<C, S>): Record<string, unknown> | string | null;
  /**
   * Answers a provider's GET verification handshake on the webhook URL (Meta's hub.challenge): the body to
   * answer with, or null to refuse (403).
   */
  verifyChallenge?(query: Record<string, string>, connection: ConnectionInfo<C, S>): string | null;
  /**
   * Turns a pending file's `source` into the request that downloads it now (WhatsApp: a fresh URL by media
   * id; Telegram: getFile for a fresh file_path), adding the credentials. Absent: `source.url` is fetched as
   * it is. Throws ChannelSendError (retryable or not) when the provider refuses.
   */
  resolveMedia?(
    connection: ConnectionInfo<C, S>,
    source: MediaSource,
    ctx: AdapterContext,
  ): Promise<DownloadRequest>;
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
  /**
   * Comments (R451): the details of a post (`GET /{post-id}` / `GET /{media-id}`), and hiding, unhiding or
   * deleting a comment at the provider. Throw ChannelSendError (retryable or not) on refusal.
   */
  commentPost?(connection: ConnectionInfo<C, S>, postId: string, ctx: AdapterContext): Promise<PostDetails>;
  /**
   * A mention of the account (Instagram): its comment or caption, author and media, read with the Graph API.
   * Throw ChannelSendError (retryable or not) on refusal.
   */
  commentMention?(
    connection: ConnectionInfo<C, S>,
    mention: { mediaId: string; commentId: string | null },
    ctx: AdapterContext,
  ): Promise<MentionDetails>;
  moderateComment?(
    connection: ConnectionInfo<C, S>,
    commentId: string,
    action: "hide" | "unhide" | "delete",
    ctx: AdapterContext,
  ): Promise<void>;
  /** Tells the customer their message was seen (channels that support it; see capabilities.markSeen). */
  markSeen?(
    connection: ConnectionInfo<C, S>,
    target: { externalContactId: string; providerMessageId: string },
    ctx: AdapterContext,
  ): Promise<void>;
}
