import type { Db } from "../../db/client";
import type { SecretBox } from "../../lib/crypto";

export interface WebhookTarget {
  id: string;
  workspaceId: string;
  type: string;
  enabled: boolean;
  credentials: unknown;
  settings: unknown;
}

interface Entry {
  target: WebhookTarget | null;
  /** Fresh until then (ms); then served while one read refreshes it, until `until + ttlMs`. */
  until: number;
}

/**
 * What the webhook route needs of a connection (its workspace, whether it is enabled, its decrypted
 * credentials), kept for a few seconds. A webhook then reaches the ingest queue without a query of its own:
 * on the embedded database, which runs one statement at a time, a lookup per webhook would queue behind
 * every ingest transaction and keep webhooks from being written together. Changes made through this process
 * apply at once (invalidate); another process's changes within `ttlMs` and the read that follows.
 *
 * A connection is read by one query at a time, however many webhooks ask for it meanwhile; once its entry is
 * `ttlMs` old, the webhooks that follow keep the entry while that one read refreshes it (for at most another
 * `ttlMs`). Without that, every webhook arriving in the moment an entry expired would read the connection
 * itself — hundreds a second on a busy number, each waiting for a database connection ahead of the ingest
 * transactions, every `ttlMs`.
 */
export class WebhookTargetCache {
  private readonly entries = new Map<string, Entry>();
  /** The read under way per connection; invalidate drops it, and a read no longer here stores nothing. */
  private readonly reading = new Map<string, Promise<WebhookTarget | null>>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = 5_000,
  ) {}

  async get(id: string): Promise<WebhookTarget | null> {
    const hit = this.entries.get(id);
    const now = this.now();
    if (hit && hit.until > now) return hit.target;
    if (hit && hit.until + this.ttlMs > now) {
      // Stale: kept while one read refreshes it. A failed read stores nothing: the next caller starts
      // another, until the entry is too old to answer and callers wait for (and see the failure of) a read.
      this.read(id).catch(() => {});
      return hit.target;
    }
    return this.read(id);
  }

  invalidate(id: string) {
    this.entries.delete(id);
    this.reading.delete(id);
  }

  private read(id: string): Promise<WebhookTarget | null> {
    const running = this.reading.get(id);
    if (running) return running;
    const read = this.load(id).then(
      (target) => {
        // A read that started before an invalidate of this connection is not kept.
        if (this.reading.get(id) === read) {
          this.reading.delete(id);
          if (this.entries.size > 10_000) this.entries.clear();
          this.entries.set(id, { target, until: this.now() + this.ttlMs });
        }
        return target;
      },
      (err) => {
        if (this.reading.get(id) === read) this.reading.delete(id);
        throw err;
      },
    );
    this.reading.set(id, read);
    return read;
  }

  private async load(id: string): Promise<WebhookTarget | null> {
    const [row] = await this.db.query<{
      id: string;
      workspace_id: string;
      type: string;
      credentials_enc: string;
      enabled: boolean;
      settings: unknown;
    }>(
      "select id, workspace_id, type, credentials_enc, enabled, settings from channel_connections where id = $1",
      [id],
    );
    return row
      ? {
          id: row.id,
          workspaceId: row.workspace_id,
          type: row.type,
          enabled: row.enabled,
          credentials: this.secrets.open(row.credentials_enc),
          settings: row.settings,
        }
      : null;
  }
}
