import { type InboundEvent, pendingAttachment } from "../types";
import type { TlLong, TlObject } from "./boundary";

/** A message's file as the update describes it (downloaded later by the media job). */
export interface TgMedia {
  name: string;
  mimeType: string;
  size: number;
}

/** What Parley takes from the account's updates: private-chat messages and edits, and outbox reads. */
export type TgEvent =
  | {
      kind: "message";
      userId: string;
      id: number;
      /** Sent by this account (from Parley or the account's own apps). */
      out: boolean;
      date: number;
      text: string;
      replyToMsgId: number | null;
      media: TgMedia | null;
      /** Set on an edit: when it was edited. */
      editDate: number | null;
    }
  /** The customer read this account's messages up to `maxId` (`updateReadHistoryOutbox`). */
  | { kind: "read_outbox"; userId: string; maxId: number };

/** A user the updates describe: the access hash to address them, and their name. */
export interface TgUser {
  userId: string;
  accessHash: string | null;
  name: string | null;
  username: string | null;
  phone: string | null;
  bot: boolean;
}

const str = (v: unknown): string => String(v as TlLong);
const num = (v: unknown): number => Number(str(v));
const obj = (v: unknown): TlObject | null =>
  v && typeof v === "object" && typeof (v as TlObject).className === "string" ? (v as TlObject) : null;
const list = (v: unknown): TlObject[] =>
  Array.isArray(v) ? v.map(obj).filter((o): o is TlObject => o !== null) : [];

/** The user of a private chat's peer (`PeerUser`); null for groups and channels, which Parley leaves out. */
function peerUser(peer: unknown): string | null {
  const p = obj(peer);
  return p?.className === "PeerUser" ? str(p.userId) : null;
}

function replyTo(v: unknown): number | null {
  const r = obj(v);
  return r && r.replyToMsgId !== undefined && r.replyToMsgId !== null ? num(r.replyToMsgId) : null;
}

/** A message's file: a photo, or a document with its file name attribute. */
function mediaOf(v: unknown): TgMedia | null {
  const m = obj(v);
  if (!m) return null;
  if (m.className === "MessageMediaPhoto") {
    const photo = obj(m.photo);
    return photo ? { name: `photo-${str(photo.id)}.jpg`, mimeType: "image/jpeg", size: 0 } : null;
  }
  if (m.className === "MessageMediaDocument") {
    const doc = obj(m.document);
    if (!doc) return null;
    const named = list(doc.attributes).find((a) => a.className === "DocumentAttributeFilename");
    const mimeType = typeof doc.mimeType === "string" ? doc.mimeType : "application/octet-stream";
    return {
      name: named && typeof named.fileName === "string" ? named.fileName : `file-${str(doc.id)}`,
      mimeType,
      size: doc.size !== undefined ? num(doc.size) : 0,
    };
  }
  return null;
}

function messageEvent(m: TlObject, edit: boolean): TgEvent | null {
  if (m.className !== "Message") return null; // MessageService, MessageEmpty
  const userId = peerUser(m.peerId);
  if (!userId) return null;
  return {
    kind: "message",
    userId,
    id: num(m.id),
    out: m.out === true,
    date: num(m.date),
    text: typeof m.message === "string" ? m.message : "",
    replyToMsgId: replyTo(m.replyTo),
    media: mediaOf(m.media),
    editDate: edit ? num(m.editDate ?? m.date) : null,
  };
}

function single(u: TlObject): TgEvent[] {
  switch (u.className) {
    case "UpdateNewMessage":
    case "UpdateEditMessage": {
      const m = obj(u.message);
      const e = m ? messageEvent(m, u.className === "UpdateEditMessage") : null;
      return e ? [e] : [];
    }
    case "UpdateReadHistoryOutbox": {
      const userId = peerUser(u.peer);
      return userId ? [{ kind: "read_outbox", userId, maxId: num(u.maxId) }] : [];
    }
    default:
      return [];
  }
}

function user(u: TlObject): TgUser | null {
  if (u.className !== "User" || u.self === true) return null;
  const name = [u.firstName, u.lastName].filter((s) => typeof s === "string" && s).join(" ");
  return {
    userId: str(u.id),
    accessHash: u.accessHash !== undefined && u.accessHash !== null ? str(u.accessHash) : null,
    name: name || null,
    username: typeof u.username === "string" ? u.username : null,
    phone: typeof u.phone === "string" ? `+${u.phone.replace(/^\+/, "")}` : null,
    bot: u.bot === true,
  };
}

/**
 * One update envelope as the library delivers it (`Updates`, `UpdatesCombined`, `UpdateShort`,
 * `UpdateShortMessage`, or a bare `Update*`) → the events Parley keeps and the users it describes.
 */
export function mapUpdates(update: TlObject): { events: TgEvent[]; users: TgUser[] } {
  switch (update.className) {
    case "Updates":
    case "UpdatesCombined":
      return {
        events: list(update.updates).flatMap(single),
        users: list(update.users)
          .map(user)
          .filter((u): u is TgUser => u !== null),
      };
    case "UpdateShort": {
      const inner = obj(update.update);
      return { events: inner ? single(inner) : [], users: [] };
    }
    case "UpdateShortMessage":
      return {
        events: [
          {
            kind: "message",
            userId: str(update.userId),
            id: num(update.id),
            out: update.out === true,
            date: num(update.date),
            text: typeof update.message === "string" ? update.message : "",
            replyToMsgId: replyTo(update.replyTo),
            media: null,
            editDate: null,
          },
        ],
        users: [],
      };
    default:
      return { events: single(update), users: [] };
  }
}

/** How long a message's file can be fetched again through the session: Telegram keeps it; retry for a day. */
const MEDIA_RETRY_MS = 24 * 60 * 60_000;
const MEDIA_MAX_BYTES = 50 * 1024 * 1024;

/**
 * Parley's inbound events for the mapped updates. A customer's message is a message (its file downloaded
 * later by the media job); an edit is a new message quoting the original, keyed by the edit time (Parley keeps
 * what was said); this account's own new message is Telegram's confirmation that it is on the server
 * ("delivered"); an outbox read is a read watermark up to that message.
 */
export function toInbound(events: TgEvent[], users: Map<string, TgUser>, now: Date): InboundEvent[] {
  const out: InboundEvent[] = [];
  for (const e of events) {
    if (e.kind === "read_outbox") {
      out.push({
        kind: "read_watermark",
        externalContactId: e.userId,
        upTo: { providerMessageId: String(e.maxId) },
        at: now,
      });
      continue;
    }
    if (e.out) {
      if (e.editDate === null)
        out.push({ kind: "status", providerMessageId: String(e.id), state: "delivered", at: now });
      continue;
    }
    const u = users.get(e.userId);
    if (u?.bot) continue;
    const at = new Date(Math.min((e.editDate ?? e.date) * 1000, now.getTime()));
    const attachments = e.media
      ? [
          pendingAttachment(e.media, {
            source: { userId: e.userId, messageId: String(e.id) },
            maxBytes: MEDIA_MAX_BYTES,
            retryForMs: MEDIA_RETRY_MS,
            now,
          }),
        ]
      : [];
    const edit = e.editDate !== null;
    const text = edit ? e.text || "(changed the attached file)" : e.text || null;
    if (!text && attachments.length === 0) continue;
    out.push({
      kind: "message",
      providerMessageId: edit ? `${e.id}:edit:${e.editDate}` : String(e.id),
      externalContactId: e.userId,
      contact: { name: u?.name ?? null, nickname: u?.username ?? null, phone: u?.phone ?? null },
      text,
      attachments: edit ? [] : attachments,
      quotedProviderMessageId: edit ? String(e.id) : e.replyToMsgId !== null ? String(e.replyToMsgId) : null,
      at,
    });
  }
  return out;
}
