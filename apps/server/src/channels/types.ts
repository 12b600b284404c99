import type {
  Attachment,
  ChannelCapabilities,
  ChannelType,
  DeliveryState,
  FailureReason,
} from "@parley/protocol";
import type { z } from "zod";

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
      /** true when the business itself sent it from the provider's own app (an echo). */
      echo?: boolean;
      source?: Record<string, string>;
    }
  | {
      kind: "status";
      providerMessageId: string;
      state: Exclude<DeliveryState, "queued">;
      at: Date;
      reason?: FailureReason;
      detail?: string | null;
    }
  | { kind: "read_watermark"; externalContactId: string; upTo: Date; at: Date };

export interface OutgoingMessage {
  id: string;
  conversationId: string;
  externalContactId: string;
  text: string | null;
  attachments: Attachment[];
  quotedProviderMessageId: string | null;
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
  /** Parses a verified webhook; throws AppError("validation_failed") on a payload it cannot read. */
  parse(raw: Buffer): InboundEvent[];
  send(
    connection: ConnectionInfo<C, S>,
    message: OutgoingMessage,
    timeoutMs: number,
  ): Promise<{ providerMessageId: string }>;
}
