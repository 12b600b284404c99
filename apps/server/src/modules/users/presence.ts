import crypto from "node:crypto";
import type { Presence } from "@parley/protocol";
import type { AppContext } from "../../context";
import type { Queryable } from "../../db/client";
import { requestDrain } from "../distribution/jobs";

/** How often a process refreshes its sockets' rows; a row older than STALE_MS belongs to a dead process. */
export const PRESENCE_HEARTBEAT_MS = 30_000;
const STALE_MS = 75_000;

/** Every user of a workspace with at least one live socket, and whether any of them is online. */
export async function workspacePresence(
  q: Queryable,
  workspaceId: string,
  now: Date,
  userId?: string,
): Promise<Record<string, Exclude<Presence, "offline">>> {
  const rows = await q.query<{ user_id: string; online: boolean }>(
    `select user_id, bool_or(state = 'online') as online from presence_sockets
     where workspace_id = $1 and seen_at > $2 ${userId ? "and user_id = $3" : ""}
     group by user_id`,
    userId
      ? [workspaceId, new Date(now.getTime() - STALE_MS), userId]
      : [workspaceId, new Date(now.getTime() - STALE_MS)],
  );
  return Object.fromEntries(rows.map((r) => [r.user_id, r.online ? "online" : "away"]));
}

/**
 * Tracks the realtime sockets of this process in `presence_sockets` (so every process answers the same) and
 * tells the workspace over the bus when a user's combined presence may have changed. Operations on one
 * socket run in order, so a quick connect/close never leaves a row behind.
 */
export class PresenceTracker {
  private readonly sockets = new Map<string, { workspaceId: string; userId: string; chain: Promise<void> }>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly ctx: AppContext) {
    this.timer = setInterval(() => void this.heartbeat(), PRESENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  connect(actor: { workspaceId: string; userId: string }): string {
    const id = crypto.randomUUID();
    this.sockets.set(id, { ...actor, chain: Promise.resolve() });
    this.run(id, async (now) => {
      await this.ctx.db.query(
        "insert into presence_sockets (id, workspace_id, user_id, state, seen_at) values ($1, $2, $3, 'online', $4)",
        [id, actor.workspaceId, actor.userId, now],
      );
    });
    return id;
  }

  set(id: string, state: "online" | "away") {
    this.run(id, async (now) => {
      await this.ctx.db.query("update presence_sockets set state = $2, seen_at = $3 where id = $1", [
        id,
        state,
        now,
      ]);
    });
  }

  disconnect(id: string) {
    this.run(id, async () => {
      await this.ctx.db.query("delete from presence_sockets where id = $1", [id]);
    });
    const s = this.sockets.get(id);
    void s?.chain.finally(() => this.sockets.delete(id));
  }

  /** Waits for every pending write (tests, shutdown). */
  async settled() {
    await Promise.all([...this.sockets.values()].map((s) => s.chain));
  }

  async stop() {
    clearInterval(this.timer);
    await this.settled();
    const ids = [...this.sockets.keys()];
    if (ids.length)
      await this.ctx.db
        .query("delete from presence_sockets where id = any($1::text[])", [ids])
        .catch(() => undefined);
  }

  private run(id: string, write: (now: Date) => Promise<void>) {
    const s = this.sockets.get(id);
    if (!s) return;
    s.chain = s.chain
      .then(async () => {
        await write(this.ctx.clock.now());
        await this.publish(s.workspaceId, s.userId);
      })
      .catch((err) => this.ctx.log.warn({ err }, "presence update failed"));
  }

  private async publish(workspaceId: string, userId: string) {
    const map = await workspacePresence(this.ctx.db, workspaceId, this.ctx.clock.now(), userId);
    this.ctx.bus.signal({
      workspaceId,
      audience: {},
      signal: { type: "presence.changed", userId, presence: map[userId] ?? "offline" },
    });
    // An agent online again may take conversations waiting in distribution's queues.
    if (map[userId] === "online") await requestDrain(this.ctx, workspaceId);
  }

  private async heartbeat() {
    const ids = [...this.sockets.keys()];
    const now = this.ctx.clock.now();
    try {
      if (ids.length)
        await this.ctx.db.query("update presence_sockets set seen_at = $2 where id = any($1::text[])", [
          ids,
          now,
        ]);
      // Rows of processes that died long ago.
      await this.ctx.db.query("delete from presence_sockets where seen_at < $1", [
        new Date(now.getTime() - 3600_000),
      ]);
    } catch (err) {
      this.ctx.log.warn({ err }, "presence heartbeat failed");
    }
  }
}
