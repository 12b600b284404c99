import { ClientFrame } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { conversationPolicy } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { AppError } from "../../lib/errors";
import type { RealtimeHub } from "../../realtime/hub";
import { accessOf, loadConversationRow } from "../conversations/present";
import { PresenceTracker } from "../users/presence";

const HEARTBEAT_MS = 30_000;

/** The host of an Origin header; null for an opaque origin (`Origin: null`) or one that is not a URL. */
const hostOf = (origin: string) => {
  try {
    return new URL(origin).host || null;
  } catch {
    return null;
  }
};

/**
 * The agents' WebSocket: `GET /api/realtime?since=<seq>`. A reconnecting client passes the last sequence
 * number it saw and receives everything it missed, then live events.
 */
export async function realtimeRoutes(app: App, ctx: AppContext, hub: RealtimeHub) {
  const allowedOrigin = new URL(ctx.config.publicUrl).origin;
  const presence = new PresenceTracker(ctx);
  app.addHook("onClose", () => presence.stop());

  app.get(
    "/api/realtime",
    {
      websocket: true,
      schema: {
        tags: ["realtime"],
        summary: "WebSocket of domain events for the signed-in agent (resume with ?since=<seq>)",
        querystring: z.object({ since: z.coerce.number().int().nonnegative().optional() }),
      },
      preValidation: async (req) => {
        // Browsers always send Origin: refuse other sites (cross-site WebSocket hijacking).
        const origin = req.headers.origin;
        if (origin && origin !== allowedOrigin && hostOf(origin) !== req.headers.host) {
          throw new AppError("forbidden", `Origin ${origin} may not open the realtime socket.`);
        }
      },
    },
    async (socket, req) => {
      const actor = actorOf(req);
      const since = (req.query as { since?: number }).since ?? null;
      let alive = true;
      socket.on("pong", () => {
        alive = true;
      });
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, HEARTBEAT_MS);
      const typingAccess = new Map<
        string,
        { ok: boolean; at: number; audience: ReturnType<typeof accessOf> | null }
      >();

      let detach: (() => void) | null = null;
      let closed = false;
      const presenceId = presence.connect(actor);
      socket.on("close", () => {
        closed = true;
        clearInterval(heartbeat);
        detach?.();
        presence.disconnect(presenceId);
      });
      socket.on("message", (data: Buffer) => {
        void handleFrame(data).catch((err) => req.log.warn({ err }, "realtime frame failed"));
      });

      async function handleFrame(data: Buffer) {
        let json: unknown;
        try {
          json = JSON.parse(data.toString("utf8"));
        } catch {
          socket.send(
            JSON.stringify({ type: "error", code: "invalid_json", message: "Frames must be JSON." }),
          );
          return;
        }
        const frame = ClientFrame.safeParse(json);
        if (!frame.success) {
          socket.send(
            JSON.stringify({
              type: "error",
              code: "validation_failed",
              message: "Unknown or malformed frame.",
            }),
          );
          return;
        }
        if (frame.data.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
          return;
        }
        if (frame.data.type === "presence") {
          presence.set(presenceId, frame.data.state);
          return;
        }
        const { conversationId, on } = frame.data;
        let access = typingAccess.get(conversationId);
        if (!access || Date.now() - access.at > 30_000) {
          const row = await loadConversationRow(ctx.db, actor.workspaceId, conversationId);
          const ok = !!row && conversationPolicy(actor, accessOf(row)).read;
          access = { ok, at: Date.now(), audience: row ? accessOf(row) : null };
          typingAccess.set(conversationId, access);
        }
        if (!access.ok || !access.audience) return;
        ctx.bus.signal({
          workspaceId: actor.workspaceId,
          audience: { conversation: access.audience },
          signal: { type: "typing", conversationId, userId: actor.userId, contact: false, on },
        });
      }

      try {
        const d = await hub.attach(socket, actor, since);
        if (closed) d();
        else detach = d;
      } catch (err) {
        req.log.error({ err }, "realtime attach failed");
        socket.close(1011, "internal error");
      }
    },
  );
}
