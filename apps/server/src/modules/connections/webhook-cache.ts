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

/**
 * What the webhook route needs of a connection (its workspace, whether it is enabled, its decrypted
 * credentials), kept for a few seconds. A webhook then reaches the ingest queue without a query of its own:
 * on the embedded database, which runs one statement at a time, a lookup per webhook would queue behind
 * every ingest transaction and keep webhooks from being written together. Changes made through this process
 * apply at once (invalidate); another process's changes within `ttlMs`.
 */
export class WebhookTargetCache {
  private readonly entries = new Map<string, { target: WebhookTarget | null; until: number }>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly ttlMs = 5_000,
  ) {}

  async get(id: string): Promise<WebhookTarget | null> {
    const hit = this.entries.get(id);
    if (hit && hit.until > Date.now()) return hit.target;
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
    const target = row
      ? {
          id: row.id,
          workspaceId: row.workspace_id,
          type: row.type,
          enabled: row.enabled,
          credentials: this.secrets.open(row.credentials_enc),
          settings: row.settings,
        }
      : null;
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(id, { target, until: Date.now() + this.ttlMs });
    return target;
  }

  invalidate(id: string) {
    this.entries.delete(id);
  }
}
