import { EMAIL_CAPABILITIES } from "@parley/protocol";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import { AppError } from "../../lib/errors";
import { parseCredentials } from "../form-fields";
import { type ChannelAdapter, ChannelSendError, ChannelSetupError, type ConnectionInfo } from "../types";
import { baseSubject } from "./parse";
import { EmailCredentials, EmailSettings, isSecure } from "./payloads";

/** The domain of the Message-IDs Parley gives its own mail: the connection address's domain. */
export const messageIdDomain = (c: EmailCredentials) => c.address.split("@")[1]!.toLowerCase();

/** Our Message-ID for an outgoing message (without angle brackets), also its provider message id. */
export const ownMessageId = (messageId: string, c: EmailCredentials) =>
  `parley.${messageId}@${messageIdDomain(c)}`;

export function imapClient(
  c: EmailCredentials,
  timeoutMs: number,
  extra: { autoIdleDelay?: number; maxIdleTime?: number } = {},
) {
  return new ImapFlow({
    ...extra,
    host: c.imap.host,
    port: c.imap.port,
    secure: isSecure(c.imap, 993),
    auth: { user: c.imap.user, pass: c.imap.password },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
  });
}

function smtpTransport(c: EmailCredentials, timeoutMs: number) {
  return nodemailer.createTransport({
    host: c.smtp.host,
    port: c.smtp.port,
    secure: isSecure(c.smtp, 465),
    auth: { user: c.smtp.user, pass: c.smtp.password },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, 60_000),
  });
}

/** The server's own words from an imapflow / nodemailer error. */
function serverWords(err: unknown): string {
  const e = err as { responseText?: string; response?: string; message?: string; code?: string };
  return (e.responseText || e.response || e.message || String(err)).toString().slice(0, 500);
}

const bracket = (id: string) => `<${id}>`;

/**
 * Email: IMAP in (a watcher per connection in the worker role, see watcher.ts), SMTP out. Not webhook
 * based: the webhook URL refuses everything. One conversation per customer address; replies carry
 * In-Reply-To / References of the customer's last mail and "Re: <subject>" so the customer's client threads
 * them.
 */
export const emailChannel: ChannelAdapter<EmailCredentials, EmailSettings> = {
  type: "email",
  capabilities: EMAIL_CAPABILITIES,
  settingsSchema: EmailSettings,
  credentialsSchema: EmailCredentials,
  createCredentials: (input) =>
    parseCredentials(
      EmailCredentials,
      input,
      () =>
        "An email connection needs imap {host, port, secure, user, password}, smtp {host, port, secure, user, password} and address.",
    ),

  // Mail arrives over IMAP, never through the webhook URL.
  verify: () => false,
  parse() {
    throw new AppError("bad_request", "Email connections receive mail over IMAP, not through webhooks.");
  },

  async activate(connection, ctx) {
    const c = connection.credentials;
    const imap = imapClient(c, ctx.timeoutMs);
    imap.on("error", () => {});
    try {
      await imap.connect();
      await imap.mailboxOpen("INBOX", { readOnly: true });
    } catch (err) {
      throw new ChannelSetupError(`The IMAP server ${c.imap.host} refused: ${serverWords(err)}`);
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    const smtp = smtpTransport(c, ctx.timeoutMs);
    try {
      await smtp.verify();
    } catch (err) {
      throw new ChannelSetupError(`The SMTP server ${c.smtp.host} refused: ${serverWords(err)}`);
    } finally {
      smtp.close();
    }
  },

  async send(connection, message, ctx) {
    const rt = ctx;
    const c = connection.credentials;
    const to = message.externalContactId;
    const own = ownMessageId(message.id, c);

    // The customer's last mail in this thread: reply to it.
    const [last] = await rt.db.query<{ message_id: string; subject: string | null; refs: string | null }>(
      `select message_id, subject, refs from email_messages
       where connection_id = $1 and contact_address = $2 and direction = 'inbound'
       order by created_at desc limit 1`,
      [connection.id, to],
    );
    const [lastAny] = await rt.db.query<{ subject: string | null }>(
      `select subject from email_messages where connection_id = $1 and contact_address = $2
       order by created_at desc limit 1`,
      [connection.id, to],
    );
    const original = baseSubject(last?.subject ?? lastAny?.subject ?? "");
    const subject = original
      ? `Re: ${original}`
      : (connection.settings.defaultSubject ?? `Message from ${c.displayName || c.address}`);
    const references = last ? [...(last.refs ? last.refs.split(" ") : []), last.message_id] : [];

    const attachments: Mail.Attachment[] = [];
    let total = 0;
    for (const a of message.attachments) {
      total += a.size;
      const fileId = /^\/api\/files\/([0-9a-f-]{36})$/.exec(a.url)?.[1];
      if (fileId) {
        const [file] = await rt.db.query<{ storage_key: string }>(
          "select storage_key from files where id = $1 and workspace_id = $2",
          [fileId, connection.workspaceId],
        );
        if (!file) throw new ChannelSendError("attachment_rejected", `The file ${a.name} is gone.`, false);
        attachments.push({
          filename: a.name,
          contentType: a.mimeType,
          content: rt.blobs.get(file.storage_key),
        });
      } else {
        attachments.push({ filename: a.name, contentType: a.mimeType, href: ctx.fileUrl(a.url) });
      }
    }
    if (total > (EMAIL_CAPABILITIES.attachments?.maxBytes ?? Number.POSITIVE_INFINITY)) {
      throw new ChannelSendError(
        "attachment_rejected",
        "The attachments exceed 25 MB, more than mail servers accept.",
        false,
      );
    }

    const transport = smtpTransport(c, ctx.timeoutMs);
    try {
      await transport.sendMail({
        from: c.displayName ? { name: c.displayName, address: c.address } : c.address,
        to,
        subject,
        text: message.text ?? "",
        messageId: bracket(own),
        ...(last
          ? { inReplyTo: bracket(last.message_id), references: references.map(bracket).join(" ") }
          : {}),
        attachments,
      });
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
      const words = serverWords(err);
      if (typeof e.responseCode === "number" && e.responseCode >= 500) {
        throw new ChannelSendError("provider_error", `The SMTP server refused the mail: ${words}`, false);
      }
      // 4xx (temporary) and network failures: try again later.
      throw new ChannelSendError(
        "provider_error",
        `The SMTP server could not take the mail now: ${words}`,
        true,
      );
    } finally {
      transport.close();
    }
    await rt.db.query(
      `insert into email_messages (connection_id, message_id, contact_address, direction, subject, refs)
       values ($1, $2, $3, 'outbound', $4, $5) on conflict do nothing`,
      [connection.id, own, to, subject, references.join(" ") || null],
    );
    return { providerMessageId: own };
  },
};

export type EmailConnection = ConnectionInfo<EmailCredentials, EmailSettings>;
