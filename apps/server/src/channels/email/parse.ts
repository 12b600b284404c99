import crypto from "node:crypto";
import { convert } from "html-to-text";
import PostalMime from "postal-mime";

export interface ParsedAttachment {
  name: string;
  mimeType: string;
  data: Buffer;
}

/** What a mail in the INBOX turned out to be. */
export type ClassifiedMail =
  /** Our own mail (our Message-ID, or From our address): a copy or a loop; never ingested. */
  | { kind: "own"; why: string }
  /** An automatic mail (auto-reply, vacation notice, list or bulk mail): never a customer message, never answered. */
  | { kind: "auto"; why: string }
  /** A delivery status notification about mail we sent (RFC 3464). */
  | { kind: "bounce"; originalIds: string[]; failedRecipients: string[]; detail: string }
  | {
      kind: "message";
      messageId: string;
      from: { address: string; name: string | null };
      subject: string;
      text: string;
      inReplyTo: string | null;
      references: string[];
      attachments: ParsedAttachment[];
      date: Date;
    };

/** Message-IDs in a header value, without angle brackets. */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const ids = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (ids.length > 0) return ids;
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [bare] : [];
}

/** The subject without "Re:", "Fwd:", "AW:" ... prefixes, for comparing and answering. */
export function baseSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(re|fw|fwd|aw|wg|sv|vs|antw|ответ|на)\s*(\[\d+\])?\s*:\s*/i, "");
    if (next === s) return s;
    s = next;
  }
}

/** HTML to plain text for display: scripts, styles and images dropped, nothing of the markup kept. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "img", format: "skip" },
      { selector: "script", format: "skip" },
      { selector: "style", format: "skip" },
      { selector: "head", format: "skip" },
      { selector: "a", options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
    ],
  }).trim();
}

/**
 * Cuts the quoted previous mail off a reply ("On <date>, <who> wrote:" and what follows, an Outlook
 * "-----Original Message-----" block, or trailing "> " lines). Leaves the text as it is when nothing would
 * remain.
 */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const joined = `${line} ${lines[i + 1]?.trim() ?? ""}`;
    if (
      /^-{2,}\s*(original message|ursprüngliche nachricht|исходное сообщение)\s*-{2,}$/i.test(line) ||
      /^(on|am|le|el)\s.+(wrote|schrieb|a écrit|escribió)\s*:$/i.test(line) ||
      (/^(on|am)\s/i.test(line) && /(wrote|schrieb):$/i.test(joined) && !/:$/.test(line))
    ) {
      cut = i;
      break;
    }
  }
  let kept = lines.slice(0, cut);
  // Trailing quoted lines (and blank lines) without an attribution line.
  let end = kept.length;
  while (end > 0 && (/^\s*>/.test(kept[end - 1]!) || kept[end - 1]!.trim() === "")) end--;
  kept = kept.slice(0, end);
  const result = kept.join("\n").trim();
  return result || text.trim();
}

const header = (mail: { headers: { key: string; value: string }[] }, key: string) =>
  mail.headers.find((h) => h.key === key)?.value ?? null;

/** A DSN's fields (Diagnostic-Code, Status, Original-Message-ID, ...) read from the raw report text. */
function dsnField(raw: string, name: string): string[] {
  const re = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)`, "gim");
  return [...raw.matchAll(re)].map((m) => m[1]!.replace(/\r?\n[ \t]+/g, " ").trim());
}

/**
 * Parses a raw RFC 5322 mail and tells what it is. `ownDomain` is the domain of the Message-IDs Parley gives
 * its own mail; `ownAddress` the connection's address.
 */
export async function classifyMail(
  raw: Buffer,
  own: { address: string; messageIdDomain: string },
): Promise<ClassifiedMail> {
  const mail = await PostalMime.parse(raw, { rfc822Attachments: true, attachmentEncoding: "arraybuffer" });
  const messageId = messageIds(mail.messageId)[0] ?? null;
  const from = mail.from && "address" in mail.from && mail.from.address ? mail.from : null;
  const fromAddress = from?.address?.toLowerCase() ?? "";
  const contentType = (header(mail, "content-type") ?? "").toLowerCase();

  // Bounces first: they come from MAILER-DAEMON and are automatic, but they are about our mail.
  const isReport = contentType.includes("multipart/report") && contentType.includes("delivery-status");
  const failedRecipients = (header(mail, "x-failed-recipients") ?? "")
    .split(",")
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  if (isReport || failedRecipients.length > 0) {
    const text = raw.toString("utf8");
    const bodyStart = text.search(/\r?\n\r?\n/);
    const body = bodyStart >= 0 ? text.slice(bodyStart) : "";
    const ids = new Set<string>();
    for (const v of dsnField(body, "Original-Message-ID")) for (const id of messageIds(v)) ids.add(id);
    // The returned original's headers (message/rfc822 or text/rfc822-headers part) name its Message-ID.
    for (const v of dsnField(body, "Message-ID")) for (const id of messageIds(v)) ids.add(id);
    for (const v of dsnField(body, "Final-Recipient"))
      failedRecipients.push(v.replace(/^rfc822;\s*/i, "").toLowerCase());
    const diagnostic = dsnField(body, "Diagnostic-Code").map((d) => d.replace(/^smtp;\s*/i, ""));
    const status = dsnField(body, "Status");
    const detail =
      diagnostic[0] ??
      (status[0] ? `Delivery failed (status ${status[0]})` : null) ??
      mail.text
        ?.trim()
        .split(/\n\s*\n/)[0]
        ?.trim() ??
      "The mail bounced.";
    if (messageId) ids.delete(messageId);
    return {
      kind: "bounce",
      originalIds: [...ids],
      failedRecipients: [...new Set(failedRecipients)],
      detail: detail.slice(0, 1000),
    };
  }

  if (
    messageId?.toLowerCase().endsWith(`@${own.messageIdDomain.toLowerCase()}`) &&
    messageId.startsWith("parley.")
  ) {
    return { kind: "own", why: "our own Message-ID" };
  }
  if (fromAddress && fromAddress === own.address.toLowerCase())
    return { kind: "own", why: "From is our address" };

  const autoSubmitted = header(mail, "auto-submitted");
  if (autoSubmitted && autoSubmitted.trim().toLowerCase() !== "no")
    return { kind: "auto", why: `Auto-Submitted: ${autoSubmitted}` };
  for (const h of ["x-autoreply", "x-autorespond", "x-autoresponder"]) {
    if (header(mail, h)) return { kind: "auto", why: h };
  }
  const precedence = header(mail, "precedence")?.trim().toLowerCase();
  if (precedence && ["bulk", "junk", "list", "auto_reply"].includes(precedence))
    return { kind: "auto", why: `Precedence: ${precedence}` };
  // List-Id alone is not enough: support addresses are often mailing-list aliases (Google Groups).
  if (/^\s*<\s*>\s*$/.test(header(mail, "return-path") ?? "x"))
    return { kind: "auto", why: "empty Return-Path" };
  if (!from) return { kind: "auto", why: "no From address" };

  const body = mail.text?.trim() ? mail.text : mail.html ? htmlToText(mail.html) : "";
  const attachments: ParsedAttachment[] = mail.attachments
    .filter((a) => a.mimeType.toLowerCase() !== "message/delivery-status")
    .map((a) => ({
      name: a.filename ?? (a.contentId ? a.contentId.replace(/[<>]/g, "") : "attachment"),
      mimeType: a.mimeType || "application/octet-stream",
      data: Buffer.from(a.content as ArrayBuffer),
    }));
  const date = mail.date ? new Date(mail.date) : new Date();
  return {
    kind: "message",
    // Without a Message-ID, the same bytes always give the same id (redelivery never duplicates).
    messageId: messageId ?? `sha256.${crypto.createHash("sha256").update(raw).digest("hex")}`,
    from: { address: fromAddress, name: from.name?.trim() || null },
    subject: mail.subject?.trim() ?? "",
    text: stripQuoted(body),
    inReplyTo: messageIds(mail.inReplyTo)[0] ?? null,
    references: messageIds(mail.references),
    attachments,
    date: Number.isNaN(date.getTime()) ? new Date() : date,
  };
}
