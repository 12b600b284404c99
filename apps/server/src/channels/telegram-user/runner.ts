import crypto from "node:crypto";
import os from "node:os";
import type { AppContext } from "../../context";
import { dbTimeParams } from "../../lib/time";
import type { TelegramUserAdapter } from "./adapter";
import { isRevoked, type MtprotoClient, MtprotoError, type TlObject } from "./boundary";
import { revokedHealth } from "./errors";
import type { TelegramUserCredentials } from "./payloads";
import { mapUpdates, type TgUser, toInbound } from "./updates";

export interface TelegramUserSessionsOptions {
  /** How often the list of connections is read again and the leases renewed. */
  refreshMs: number;
  /** How long a lease lasts without renewal: after it, another process takes the session over. */
  leaseMs: number;
}

/** The database's now() as this process's clock sees it (tests move it), as SQL over two parameters. */
const DB_NOW = (a: number, b: number) =>
  `coalesce($${a}::timestamptz, now() + $${b}::double precision * interval '1 millisecond')`;

/**
 * The update side of every personal Telegram connection, run by the worker role: one process at a time holds a
 * connection's session under a lease in `telegram_user_sessions` (renewed every refresh, on the database's
 * clock), like the email watcher's mailboxes. A process that dies stops renewing; once the lease has run out,
 * the next refresh of another worker takes the session over.
 */
export class TelegramUserSessions {
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`;
  private readonly held = new Map<string, SessionHolder>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;
  /** Refreshes finished (tests wait for one as the positive signal that a pass ran). */
  refreshes = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly adapter: TelegramUserAdapter,
    private readonly opts: TelegramUserSessionsOptions,
  ) {}

  start() {
    this.timer = setInterval(() => this.kick(), this.opts.refreshMs);
    this.kick();
  }

  /** The connections whose session this process holds now. */
  holding(): string[] {
    return [...this.held.keys()];
  }

  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.refreshing ??= this.refresh()
      .catch((err) => this.ctx.log.warn({ err }, "telegram sessions: refresh failed"))
      .finally(() => {
        this.refreshing = null;
        this.refreshes++;
      });
    return this.refreshing;
  }

  private async refresh() {
    const rows = await this.ctx.db.query<{
      id: string;
      workspace_id: string;
      credentials_enc: string;
      updated_at: Date;
    }>(
      `select c.id, c.workspace_id, c.credentials_enc, c.updated_at from channel_connections c
       left join telegram_user_sessions s on s.connection_id = c.id
       where c.type = 'telegram_user' and c.enabled and s.revoked_at is null`,
    );
    const wanted = new Set<string>();
    const [at, shift] = dbTimeParams(this.ctx.clock);
    for (const row of rows) {
      if (this.stopped) return;
      const claimed = await this.ctx.db.query(
        `insert into telegram_user_sessions (connection_id, lease_owner, lease_until)
         values ($1, $2, ${DB_NOW(3, 4)} + $5::double precision * interval '1 millisecond')
         on conflict (connection_id) do update set lease_owner = excluded.lease_owner,
           lease_until = excluded.lease_until, updated_at = now()
         where telegram_user_sessions.revoked_at is null and (telegram_user_sessions.lease_owner = excluded.lease_owner
           or telegram_user_sessions.lease_until is null or telegram_user_sessions.lease_until < ${DB_NOW(3, 4)})
         returning connection_id`,
        [row.id, this.owner, at, shift, this.opts.leaseMs],
      );
      if (claimed.length === 0) continue;
      wanted.add(row.id);
      const stamp = new Date(row.updated_at).getTime();
      const current = this.held.get(row.id);
      if (current && current.stamp === stamp && current.alive) continue;
      if (current) await this.drop(row.id, current);
      const holder = new SessionHolder(
        this.ctx,
        this.adapter,
        { id: row.id, workspaceId: row.workspace_id },
        this.ctx.secrets.open<TelegramUserCredentials>(row.credentials_enc),
        stamp,
      );
      this.held.set(row.id, holder);
      await holder.start();
    }
    for (const [id, holder] of this.held) {
      if (wanted.has(id)) continue;
      await this.drop(id, holder);
      await this.release(id);
    }
  }

  private async drop(id: string, holder: SessionHolder) {
    this.held.delete(id);
    await holder.stop();
  }

  private async release(id: string) {
    await this.ctx.db
      .query(
        "update telegram_user_sessions set lease_owner = null, lease_until = null where connection_id = $1 and lease_owner = $2",
        [id, this.owner],
      )
      .catch(() => {});
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    for (const [id, holder] of this.held) {
      await holder.stop();
      await this.release(id);
    }
    this.held.clear();
  }
}

/**
 * One held session: connected, checked (`getMe`), its updates mapped and handed to the ingest in order. A
 * revoked authorization marks the session revoked and the connection's health red with what to do; other
 * failures end the holder, and the next refresh connects again.
 */
class SessionHolder {
  private client: MtprotoClient | null = null;
  private chain: Promise<void> = Promise.resolve();
  alive = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly adapter: TelegramUserAdapter,
    private readonly conn: { id: string; workspaceId: string },
    private readonly credentials: TelegramUserCredentials,
    readonly stamp: number,
  ) {}

  async start() {
    const c = this.credentials;
    const client = this.adapter.mtproto.create({ apiId: c.apiId, apiHash: c.apiHash, session: c.session });
    this.client = client;
    try {
      await client.connect();
      await client.getMe();
    } catch (err) {
      await this.failed(err);
      return;
    }
    this.alive = true;
    client.onUpdate(
      (update) => {
        this.chain = this.chain
          .then(() => this.handle(update))
          .catch((err) =>
            this.ctx.log.warn(
              { err, connectionId: this.conn.id },
              "telegram session: an update was not taken",
            ),
          );
      },
      (err) => void this.failed(err),
    );
  }

  async stop() {
    this.alive = false;
    await this.chain;
    await this.client?.disconnect().catch(() => {});
    this.client = null;
  }

  private async failed(err: unknown) {
    this.alive = false;
    const revoked = isRevoked(err);
    const detail = revoked
      ? revokedHealth((err as MtprotoError).code)
      : `Telegram: ${err instanceof MtprotoError ? err.code : (err as Error).message}`;
    this.ctx.log.warn({ connectionId: this.conn.id, err: detail }, "telegram session failed");
    if (revoked)
      await this.ctx.db
        .query(
          "update telegram_user_sessions set revoked_at = now(), lease_owner = null, lease_until = null where connection_id = $1",
          [this.conn.id],
        )
        .catch(() => {});
    await this.ctx.db
      .query(
        "update channel_connections set last_error = $2, last_error_at = $3, error_count = error_count + 1 where id = $1",
        [this.conn.id, detail.slice(0, 500), this.ctx.clock.now()],
      )
      .catch(() => {});
    await this.client?.disconnect().catch(() => {});
  }

  /** One update envelope: peers' access hashes kept first (a reply needs them), then the events ingested. */
  private async handle(update: TlObject) {
    const { events, users } = mapUpdates(update);
    for (const u of users) {
      if (!u.accessHash) continue;
      await this.ctx.db.query(
        `insert into telegram_user_peers (connection_id, user_id, access_hash) values ($1, $2, $3)
         on conflict (connection_id, user_id) do update set access_hash = excluded.access_hash`,
        [this.conn.id, u.userId, u.accessHash],
      );
    }
    const inbound = toInbound(
      events,
      new Map<string, TgUser>(users.map((u) => [u.userId, u])),
      this.ctx.clock.now(),
    );
    if (inbound.length === 0) return;
    await this.ctx.ingest.submit(
      { id: this.conn.id, workspaceId: this.conn.workspaceId, type: "telegram_user" },
      inbound,
    );
  }
}
