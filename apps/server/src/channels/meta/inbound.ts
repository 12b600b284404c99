import { parseWebhookJson } from "../payload";
import { type AdapterContext, type InboundAttachment, type InboundEvent, pendingAttachment } from "../types";
import { parseCommentChanges } from "./comments";
import { MetaMessagingEvent, MetaWebhook } from "./payloads";

/** Our own sends carry this prefix in Messenger's `message.metadata`; their echoes are dropped. */
export const OWN_METADATA_PREFIX = "parley:";

export interface ParseOptions {
  /** "page" (Messenger) or "instagram". */
  object: "page" | "instagram";
  /** The business account this connection serves: entries for other pages/accounts are ignored. */
  accountId: string;
  /** Echoes with this app_id are Parley's own sends (already recorded). */
  appId?: string;
}

type MessageEvent = Extract<InboundEvent, { kind: "message" }>;

/**
 * Turns a verified Messenger / Instagram webhook into inbound events. Unknown objects, fields and event types
 * are ignored (no events), never an error. Media is downloaded by a background job, by its CDN link.
 */
export async function parseMetaWebhook(
  raw: Buffer,
  opts: ParseOptions,
  ctx: AdapterContext,
): Promise<InboundEvent[]> {
  const webhook = parseWebhookJson(raw, MetaWebhook, "The webhook body is not a Meta webhook.");
  if (webhook.object !== opts.object) return [];
  const events: InboundEvent[] = [];
  for (const entry of webhook.entry) {
    // One app webhook serves every page/account subscribed to it: only this connection's own entries.
    if (entry.id !== opts.accountId) continue;
    for (const item of entry.messaging ?? []) {
      const e = MetaMessagingEvent.safeParse(item);
      if (!e.success) continue; // an event shape we do not know: ignored
      events.push(...(await mapEvent(e.data, opts, ctx)));
    }
    if (entry.changes?.length)
      events.push(
        ...parseCommentChanges(entry.changes, {
          object: opts.object,
          accountId: opts.accountId,
          now: ctx.now(),
        }),
      );
  }
  return events;
}

async function mapEvent(
  e: MetaMessagingEvent,
  opts: ParseOptions,
  ctx: AdapterContext,
): Promise<InboundEvent[]> {
  const sender = e.sender?.id;
  const recipient = e.recipient?.id;
  const at = e.timestamp ? new Date(e.timestamp) : ctx.now();
  if (e.message) {
    const m = e.message;
    if (m.is_deleted) return [];
    const echo = m.is_echo === true;
    if (echo) {
      if (m.metadata?.startsWith(OWN_METADATA_PREFIX)) return [];
      if (opts.appId && m.app_id === opts.appId) return [];
    }
    // An echo is the business writing: the customer is its recipient.
    const contactId = echo ? recipient : sender;
    if (!contactId || contactId === opts.accountId) return [];
    const lines: string[] = [];
    if (m.text) lines.push(m.text);
    const attachments: InboundAttachment[] = [];
    if (m.reply_to?.story)
      lines.push(`[Reply to your story${m.reply_to.story.url ? `: ${m.reply_to.story.url}` : ""}]`);
    if (m.sticker_id !== undefined && !m.attachments?.length) lines.push("[Sticker]");
    for (const a of m.attachments ?? []) {
      const url = a.payload?.url ?? a.url ?? undefined;
      const kind = a.type.toLowerCase();
      if ((kind === "image" && a.payload?.sticker_id !== undefined) || kind === "sticker") {
        lines.push("[Sticker]");
      } else if (["image", "video", "audio", "file"].includes(kind) && url) {
        attachments.push(pendingMetaMedia(kind, url, ctx));
      } else if (kind === "location") {
        const c = a.payload?.coordinates;
        lines.push(
          c
            ? `[Location: ${c.lat}, ${c.long}] https://maps.google.com/?q=${c.lat},${c.long}`
            : `[Location${a.title ? `: ${a.title}` : ""}]`,
        );
      } else {
        lines.push(fallbackLine(kind, a.payload?.title ?? a.title ?? null, url ?? null));
      }
    }
    if (m.is_unsupported) lines.push("[A message type Parley cannot show: open the app to see it]");
    const text = lines.length ? lines.join("\n") : attachments.length ? null : "[Empty message]";
    const event: MessageEvent = {
      kind: "message",
      providerMessageId: m.mid,
      externalContactId: contactId,
      contact: {},
      text,
      attachments,
      quotedProviderMessageId: m.reply_to?.mid ?? null,
      at,
      ...(echo ? { echo: true } : {}),
    };
    return [event];
  }
  if (e.reaction && sender && sender !== opts.accountId) {
    const r = e.reaction;
    return [
      {
        kind: "reaction",
        providerMessageId: r.mid,
        externalContactId: sender,
        action: r.action,
        emoji: r.action === "react" ? (r.emoji ?? REACTION_EMOJI[r.reaction ?? ""] ?? "❓") : null,
        at,
      },
    ];
  }
  if (e.postback && sender) {
    // A button tap: the customer's action (it also renews the messaging window).
    const title = e.postback.title ?? e.postback.payload ?? "button";
    return [
      {
        kind: "message",
        providerMessageId: e.postback.mid ?? `postback:${sender}:${e.timestamp ?? at.getTime()}`,
        externalContactId: sender,
        contact: {},
        text: `[Tapped: ${title}]`,
        attachments: [],
        at,
      },
    ];
  }
  if (e.delivery && sender) {
    // Messenger: every page message before the watermark is delivered; `mids` (optional) names some of them.
    const upTo = new Date(e.delivery.watermark);
    const when = e.timestamp ? at : upTo;
    const out: InboundEvent[] = (e.delivery.mids ?? []).map((mid) => ({
      kind: "status",
      providerMessageId: mid,
      state: "delivered",
      at: when,
    }));
    out.push({ kind: "delivery_watermark", externalContactId: sender, upTo, at: when });
    return out;
  }
  if (e.read && sender) {
    // Instagram (messaging_seen) names the last message read: it and every earlier one of ours in the
    // conversation are read. The named message's own report also covers a send not recorded yet.
    if (e.read.mid)
      return [
        { kind: "status", providerMessageId: e.read.mid, state: "read", at },
        {
          kind: "read_watermark",
          externalContactId: sender,
          upTo: { providerMessageId: e.read.mid },
          at,
        },
      ];
    // Messenger gives a watermark: every message sent at or before it.
    if (e.read.watermark !== undefined)
      return [
        {
          kind: "read_watermark",
          externalContactId: sender,
          upTo: new Date(e.read.watermark),
          at: e.timestamp ? at : new Date(e.read.watermark),
        },
      ];
  }
  return [];
}

/** Reaction names Meta sends, for a payload without the emoji itself. */
const REACTION_EMOJI: Record<string, string> = {
  love: "❤️",
  like: "👍",
  dislike: "👎",
  smile: "😆",
  wow: "😮",
  sad: "😢",
  angry: "😠",
};

/** Messenger's and Instagram's largest inbound files (video and audio, 25 MB). */
const MEDIA_MAX_BYTES = 25 * 1024 * 1024;
/** A CDN link without a stated expiry is retried for an hour. */
const MEDIA_RETRY_MS = 60 * 60_000;

/**
 * A file to download in the background. Meta's CDN links state their expiry in `oe` (hex Unix seconds):
 * the download is retried until then.
 */
function pendingMetaMedia(kind: string, url: string, ctx: AdapterContext): InboundAttachment {
  const now = ctx.now();
  let retryForMs = MEDIA_RETRY_MS;
  try {
    const oe = new URL(url).searchParams.get("oe");
    const expires = oe && /^[0-9a-f]{1,12}$/i.test(oe) ? Number.parseInt(oe, 16) * 1000 : null;
    if (expires && expires > now.getTime()) retryForMs = expires - now.getTime();
  } catch {}
  const mimeType =
    { image: "image/jpeg", video: "video/mp4", audio: "audio/mp4" }[kind] ?? "application/octet-stream";
  return pendingAttachment(
    { name: defaultName(kind, url).name ?? "file", mimeType },
    { source: { url }, maxBytes: MEDIA_MAX_BYTES, retryForMs, now },
  );
}

function defaultName(kind: string, url: string): { name?: string } {
  let last = "";
  try {
    last = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  } catch {}
  if (last && /\.[a-z0-9]{2,5}$/i.test(last)) return { name: last.slice(0, 200) };
  const ext = { image: "jpg", video: "mp4", audio: "mp4", file: "bin" }[kind] ?? "bin";
  return { name: `${kind === "audio" ? "voice" : kind}.${ext}` };
}

function fallbackLine(kind: string, title: string | null, url: string | null): string {
  const label =
    {
      fallback: "Shared link",
      share: "Shared post",
      post: "Shared post",
      ig_post: "Shared post",
      reel: "Shared reel",
      ig_reel: "Shared reel",
      story_mention: "Mentioned you in their story",
      template: "Template",
      product: "Product",
    }[kind] ?? `Unsupported attachment (${kind})`;
  const parts = [title, url].filter(Boolean).join(" ");
  return `[${label}${parts ? `: ${parts}` : ""}]`;
}
