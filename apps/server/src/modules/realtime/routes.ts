import { ClientFrame } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, sessionActorOf } from "../../http/types";
import { AppError } from "../../lib/errors";
import type { RealtimeHub } from "../../realtime/hub";
import { keepAlive, readFrame } from "../../realtime/socket";
import { PresenceTracker } from "../users/presence";
import { typingRelay } from "./typing";

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
      const actor = sessionActorOf(req);
      const since = (req.query as { since?: number }).since ?? null;
      const stopHeartbeat = keepAlive(socket, HEARTBEAT_MS);
      const relayTyping = typingRelay(ctx, actor);
      let detach: (() => void) | null = null;
      let closed = false;
      const presenceId = presence.connect(actor);
      socket.on("close", () => {
        closed = true;
        stopHeartbeat();
        detach?.();
        presence.disconnect(presenceId);
      });
      const send = (frame: object) => socket.send(JSON.stringify(frame));
      const handleFrame = async (data: Buffer) => {
        const { frame, error } = readFrame(data, ClientFrame);
        if (error) return send(error);
        if (frame.type === "ping") return send({ type: "pong" });
        if (frame.type === "presence") return presence.set(presenceId, frame.state);
        await relayTyping(frame.conversationId, frame.on);
      };
      socket.on("message", (data: Buffer) => {
        void handleFrame(data).catch((err) => req.log.warn({ err }, "realtime frame failed"));
      });

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
