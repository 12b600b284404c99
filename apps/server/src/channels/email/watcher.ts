import crypto from "node:crypto";
import os from "node:os";
import type { ImapFlow } from "imapflow";
import type { AppContext } from "../../context";
import { storeBuffer } from "../../storage/files";
import type { InboundEvent } from "../types";
import { imapClient, messageIdDomain } from "./adapter";
import { baseSubject, classifyMail } from "./parse";
import type { EmailCredentials, EmailSettings } from "./payloads";

interface WatchedConnection {
  id: string;
  workspaceId: string;
  credentials: EmailCredentials;
  settings: EmailSettings;
}

export interface EmailWatcherOptions {
  /** How often the list of email connections is read again (new, changed, removed ones). */
  refreshMs: number;
  /** A sweep of the mailbox besides IDLE, for servers whose IDLE notifications get lost. */
  pollMs: number;
}

const MAX_BYTES = 30 * 1024 * 1024;

/**
 * The IMAP side of every enabled email connection, run by the worker role: one watcher per connection,
 * under a lease in email_mailboxes so that several worker processes never watch one mailbox twice.
 */
export class EmailWatchers {
  private readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`;
  private readonly running = new Map<string, { watcher: MailboxWatcher; stamp: number }>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: EmailWatcherOptions,
  ) {}

  start() {
    this.timer = setInterval(() => this.kick(), this.opts.refreshMs);
    this.kick();
  }

  private kick() {
    if (this.refreshing || this.stopped) return;
    this.refreshing = this.refresh()
      .catch((err) => this.ctx.log.warn({ err }, "email watchers: refresh failed"))
      .finally(() => {
        this.refreshing = null;
      });
  }

  private async refresh() {
    const rows = await this.ctx.db.query<{
      id: string;
      workspace_id: string;
      credentials_enc: string;
      settings: EmailSettings;
      updated_at: Date;
    }>(
      "select id, workspace_id, credentials_enc, settings, updated_at from channel_connections where type = 'email' and enabled",
    );
    const wanted = new Set<string>();
    const leaseMs = Math.max(30_000, this.opts.refreshMs * 3);
    for (const row of rows) {
      if (this.stopped) return;
      const claimed = await this.ctx.db.query(
        `insert into email_mailboxes (connection_id, lease_owner, lease_until)
         values ($1, $2, now() + ($3 || ' milliseconds')::interval)
         on conflict (connection_id) do update set lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
         where email_mailboxes.lease_owner = excluded.lease_owner or email_mailboxes.lease_until is null
           or email_mailboxes.lease_until < now()
         returning connection_id`,
        [row.id, this.owner, String(leaseMs)],
      );
      if (claimed.length === 0) continue;
      wanted.add(row.id);
      const stamp = new Date(row.updated_at).getTime();
      const current = this.running.get(row.id);
      if (current && current.stamp === stamp) continue;
      if (current) await current.watcher.stop();
      const watcher = new MailboxWatcher(
        this.ctx,
        {
          id: row.id,
          workspaceId: row.workspace_id,
          credentials: this.ctx.secrets.open<EmailCredentials>(row.credentials_enc),
          settings: row.settings,
        },
        this.opts.pollMs,
      );
      this.running.set(row.id, { watcher, stamp });
      watcher.start();
    }
    for (const [id, r] of this.running) {
      if (wanted.has(id)) continue;
      this.running.delete(id);
      await r.watcher.stop();
      await this.release(id);
    }
  }

  private async release(id: string) {
    await this.ctx.db
      .query(
        "update email_mailboxes set lease_owner = null, lease_until = null where connection_id = $1 and lease_owner = $2",
        [id, this.owner],
      )
      .catch(() => {});
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    for (const [id, r] of this.running) {
      await r.watcher.stop();
      await this.release(id);
    }
    this.running.clear();
  }
}

/**
 * One mailbox: connect, open INBOX, take the mail after the last UID handed to the ingest (the unseen mail on
 * the first watch or after a UIDVALIDITY change), then IDLE and take new mail as it arrives. Reconnects with
 * a growing pause when the server drops the connection or refuses it.
 */
export class MailboxWatcher {
  private client: ImapFlow | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly conn: WatchedConnection,
    private readonly pollMs: number,
  ) {}

  start() {
    this.loop = this.run();
  }

  async stop() {
    this.stopped = true;
    this.wake?.();
    const client = this.client;
    if (client) {
      await this.syncing?.catch(() => {});
      await client.logout().catch(() => client.close());
    }
    await this.loop;
  }

  private async run() {
    let pause = 1000;
    while (!this.stopped) {
      try {
        await this.session();
        pause = 1000;
      } catch (err) {
        if (this.stopped) break;
        const detail = `IMAP: ${(err as { responseText?: string }).responseText ?? (err as Error).message}`;
        this.ctx.log.warn({ connectionId: this.conn.id, err: detail }, "email watcher: connection failed");
        await this.ctx.db
          .query(
            "update channel_connections set last_error = $2, last_error_at = now(), error_count = error_count + 1 where id = $1",
            [this.conn.id, detail.slice(0, 500)],
          )
          .catch(() => {});
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, pause);
      });
      pause = Math.min(pause * 2, 60_000);
    }
  }

  private async session() {
    // IDLE soon after each command (new mail is seen at once), re-issued before servers' 30-minute cut.
    const client = imapClient(this.conn.credentials, this.ctx.config.OUTBOUND_TIMEOUT_MS, {
      autoIdleDelay: 200,
      maxIdleTime: 25 * 60_000,
    });
    this.client = client;
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.on("error", (err: Error) =>
      this.ctx.log.warn({ connectionId: this.conn.id, err: err.message }, "email watcher: IMAP error"),
    );
    await client.connect();
    if (this.stopped) {
      await client.logout().catch(() => client.close());
      return;
    }
    const box = await client.mailboxOpen("INBOX");
    const uidNextAtOpen = Number(box.uidNext);
    const uidValidity = String(box.uidValidity);
    client.on("exists", () => this.kick(uidValidity, uidNextAtOpen));
    const poll = setInterval(() => this.kick(uidValidity, uidNextAtOpen), this.pollMs);
    try {
      this.kick(uidValidity, uidNextAtOpen);
      await closed;
    } finally {
      clearInterval(poll);
      this.client = null;
    }
    if (!this.stopped) throw new Error("the IMAP server closed the connection");
  }

  /** Runs a sync now, or once more after the running one (never two at a time). */
  private kick(uidValidity: string, uidNextAtOpen: number) {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        try {
          await this.sync(uidValidity, uidNextAtOpen);
        } catch (err) {
          if (this.stopped) return;
          this.ctx.log.warn({ connectionId: this.conn.id, err }, "email watcher: sync failed");
          // A broken connection ends the session; the loop reconnects.
          this.client?.close();
          return;
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.syncing = null;
    });
  }

  private async sync(uidValidity: string, uidNextAtOpen: number) {
    const client = this.client;
    if (!client || this.stopped) return;
    const [state] = await this.ctx.db.query<{ uid_validity: string | null; last_uid: string }>(
      "select uid_validity::text, last_uid::text from email_mailboxes where connection_id = $1",
      [this.conn.id],
    );
    let last = Number(state?.last_uid ?? 0);
    // First watch of this mailbox (or it was recreated: UIDVALIDITY changed): the unseen mail, since seen
    // mail was read by someone; processed mail is flagged \Seen, so an interrupted first sync resumes.
    const first = state?.uid_validity !== uidValidity;
    const found = first
      ? await client.search({ seen: false }, { uid: true })
      : await client.search({ uid: `${last + 1}:*` }, { uid: true });
    const uids = [...new Set(found || [])].filter((u) => first || u > last).sort((a, b) => a - b);
    for (const uid of uids) {
      if (this.stopped) return;
      const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      const source = msg ? msg.source : undefined;
      if (source && source.length <= MAX_BYTES) {
        await this.handle(source, uid);
        await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
      } else {
        // Left unseen in the mailbox for a person to look at.
        this.ctx.log.warn(
          { connectionId: this.conn.id, uid },
          "email watcher: mail too large or gone, skipped",
        );
      }
      last = Math.max(last, uid);
      if (!first) await this.saveLast(uidValidity, last);
    }
    if (first) await this.saveLast(uidValidity, Math.max(uidNextAtOpen - 1, ...uids));
  }

  private async saveLast(uidValidity: string, last: number) {
    await this.ctx.db.query(
      `insert into email_mailboxes (connection_id, uid_validity, last_uid) values ($1, $2, $3)
       on conflict (connection_id) do update set last_uid = case when email_mailboxes.uid_validity = $2
         then greatest(email_mailboxes.last_uid, $3) else $3 end, uid_validity = $2, updated_at = now()`,
      [this.conn.id, uidValidity, last],
    );
  }

  /** One mail: ingested as the customer's message, a bounce of ours, or left alone (automatic, our own). */
  private async handle(raw: Buffer, uid: number) {
    const c = this.conn.credentials;
    const mail = await classifyMail(raw, { address: c.address, messageIdDomain: messageIdDomain(c) });
    const ref = { id: this.conn.id, workspaceId: this.conn.workspaceId, type: "email" };
    const db = this.ctx.db;
    if (mail.kind === "own" || mail.kind === "auto") {
      this.ctx.log.info(
        { connectionId: this.conn.id, uid, why: mail.why },
        "email watcher: not a customer mail",
      );
      return;
    }
    if (mail.kind === "bounce") {
      // Our message the report is about: by its Message-ID, else our last mail to the failed recipient.
      let target: string | null = null;
      if (mail.originalIds.length > 0) {
        const [row] = await db.query<{ message_id: string }>(
          `select message_id from email_messages where connection_id = $1 and direction = 'outbound'
           and message_id = any($2::text[]) limit 1`,
          [this.conn.id, mail.originalIds],
        );
        target = row?.message_id ?? null;
      }
      if (!target && mail.failedRecipients.length > 0) {
        const [row] = await db.query<{ message_id: string }>(
          `select message_id from email_messages where connection_id = $1 and direction = 'outbound'
           and contact_address = any($2::text[]) order by created_at desc limit 1`,
          [this.conn.id, mail.failedRecipients],
        );
        target = row?.message_id ?? null;
      }
      if (!target) {
        this.ctx.log.info(
          { connectionId: this.conn.id, uid },
          "email watcher: a bounce about no mail of ours",
        );
        return;
      }
      await this.ctx.ingest.submit(ref, [
        {
          kind: "status",
          providerMessageId: target,
          state: "failed",
          at: this.ctx.clock.now(),
          reason: "provider_error",
          detail: mail.detail,
        },
      ]);
      return;
    }

    const [previous] = await db.query<{ subject: string | null }>(
      `select subject from email_messages where connection_id = $1 and contact_address = $2
       order by created_at desc limit 1`,
      [this.conn.id, mail.from.address],
    );
    // The subject is shown when a thread starts or changes subject.
    const subjectChanged =
      mail.subject && (!previous || baseSubject(previous.subject ?? "") !== baseSubject(mail.subject));
    const text = subjectChanged ? `${mail.subject}\n\n${mail.text}`.trim() : mail.text;
    const attachments = [];
    for (const a of mail.attachments) {
      attachments.push(
        await storeBuffer(db, this.ctx.blobs, this.conn.workspaceId, {
          name: a.name,
          mimeType: a.mimeType,
          data: a.data,
          maxBytes: MAX_BYTES,
        }),
      );
    }
    const now = this.ctx.clock.now();
    const event: InboundEvent = {
      kind: "message",
      providerMessageId: mail.messageId,
      externalContactId: mail.from.address,
      contact: { name: mail.from.name, email: mail.from.address },
      text: text || null,
      attachments,
      // A sender's clock ahead of ours must not put the mail in the future.
      at: new Date(Math.min(mail.date.getTime(), now.getTime())),
    };
    if (!event.text && attachments.length === 0) event.text = "(empty mail)";
    await this.ctx.ingest.submit(ref, [event]);
    const refs = (
      mail.references.length > 0 ? mail.references : mail.inReplyTo ? [mail.inReplyTo] : []
    ).slice(-20);
    await db.query(
      `insert into email_messages (connection_id, message_id, contact_address, direction, subject, refs)
       values ($1, $2, $3, 'inbound', $4, $5) on conflict do nothing`,
      [this.conn.id, mail.messageId, mail.from.address, mail.subject, refs.join(" ") || null],
    );
  }
}
