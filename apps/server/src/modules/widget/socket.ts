import type { WidgetServerFrame } from "@parley/protocol";
import type { FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { keepAlive, readFrame } from "../../realtime/socket";
import { accessOf, loadConversationRow } from "../conversations/present";
import { checkOrigin } from "./access";
import { acknowledgeReceipts } from "./commands/acknowledge-receipts";
import type { VisitorSession, WidgetHub } from "./hub";
import { VisitorFrame } from "./schema";
import {
  agentsReadUpTo,
  touchVisitor,
  type Visitor,
  visitorByToken,
  visitorConversation,
  visitorMessages,
} from "./visitors";

const HEARTBEAT_MS = 20_000;
/** How often, and how many times, a receipt for a message still being sent is tried again. */
const RECEIPT_RETRY_MS = 250;
const RECEIPT_ATTEMPTS = 40;

type VisitorRequest = FastifyRequest & { visitor?: Visitor };

/**
 * The visitor's WebSocket: on connect, "hello" with the visitor's conversation and the agents' read
 * progress, then the messages after `?after=` and live ones; the visitor sends typing, receipts, sync and
 * ping frames. Registering for live events comes before reading what was missed, so a message in between
 * arrives once (the session drops what it has already sent).
 */
export async function visitorSocketRoute(app: App, ctx: AppContext, hub: WidgetHub) {
  app.get(
    "/api/widget/socket",
    {
      websocket: true,
      config: { auth: false },
      schema: {
        tags: ["web chat widget"],
        summary:
          "The visitor's WebSocket: replies, agents' read progress and typing; resume with ?after=<seq>",
        querystring: z.object({
          token: z.string().max(200),
          after: z.coerce.number().int().nonnegative().default(0),
        }),
      },
      preValidation: async (req) => {
        const q = req.query as { token?: string };
        const visitor = await visitorByToken(ctx.db, q.token);
        checkOrigin(ctx, req, visitor.settings);
        (req as VisitorRequest).visitor = visitor;
      },
    },
    async (socket, req) => {
      const visitor = (req as VisitorRequest).visitor!;
      await openVisitorSocket(ctx, hub, socket, req, visitor, (req.query as { after: number }).after);
    },
  );
}

async function openVisitorSocket(
  ctx: AppContext,
  hub: WidgetHub,
  socket: WebSocket,
  req: FastifyRequest,
  visitor: Visitor,
  after: number,
) {
  const send = (frame: WidgetServerFrame) => {
    if (socket.readyState === 1) socket.send(JSON.stringify(frame));
  };
  const session: VisitorSession = {
    visitor,
    conversationId: null,
    readUpTo: 0,
    push: (frame) => {
      if (frame.type === "messages") {
        const fresh = frame.messages.filter((m) => m.seq > after);
        if (!fresh.length) return;
        after = Math.max(after, ...fresh.map((m) => m.seq));
        send({ type: "messages", messages: fresh });
      } else send(frame);
    },
    close: (code, reason) => socket.close(code, reason),
    catchUp: async () => {
      const conversationId = session.conversationId;
      if (!conversationId) return;
      session.push({ type: "messages", messages: await visitorMessages(ctx, conversationId, after, 1000) });
      const upTo = await agentsReadUpTo(ctx.db, visitor, conversationId);
      if (upTo > session.readUpTo) {
        session.readUpTo = upTo;
        send({ type: "read", upTo });
      }
    },
  };
  const touch = () => touchVisitor(ctx, visitor.id).catch(() => {});
  const stopHeartbeat = keepAlive(socket, HEARTBEAT_MS, touch);
  socket.on("close", () => {
    stopHeartbeat();
    hub.remove(session);
    touch();
  });

  /** Registers for live events first, then sends what was missed: a message in between comes once. */
  const sync = async (from: number) => {
    const conversationId = await visitorConversation(ctx.db, visitor);
    if (conversationId) {
      hub.watch(session, conversationId);
      session.push({ type: "messages", messages: await visitorMessages(ctx, conversationId, from, 1000) });
    }
    return conversationId;
  };
  hub.add(session);
  await touchVisitor(ctx, visitor.id);
  const conversationId = await visitorConversation(ctx.db, visitor);
  if (conversationId) hub.watch(session, conversationId);
  session.readUpTo = conversationId ? await agentsReadUpTo(ctx.db, visitor, conversationId) : 0;
  send({ type: "hello", conversationId, readUpTo: session.readUpTo });
  if (conversationId) {
    session.push({ type: "messages", messages: await visitorMessages(ctx, conversationId, after, 1000) });
  }

  /** A receipt for a message still being sent is acknowledged once it is recorded as sent, a moment later. */
  const acknowledge = async (state: "delivered" | "read", upTo: number, attempt: number) => {
    const convId = session.conversationId;
    if (!convId) return;
    const pending = await acknowledgeReceipts(ctx, visitor, convId, state, upTo);
    if (pending && attempt < RECEIPT_ATTEMPTS && socket.readyState === 1) {
      setTimeout(() => {
        acknowledge(state, upTo, attempt + 1).catch((err) => req.log.warn({ err }, "widget receipt failed"));
      }, RECEIPT_RETRY_MS);
    }
  };

  let lastTyping = 0;
  const handle = async (data: Buffer) => {
    const { frame: f, error } = readFrame(data, VisitorFrame);
    if (error) return send(error);
    if (f.type === "ping") {
      await touchVisitor(ctx, visitor.id);
      return send({ type: "pong" });
    }
    if (f.type === "sync") {
      await sync(f.after);
      return;
    }
    const convId = session.conversationId;
    if (!convId) return;
    if (f.type === "typing") {
      // At most one "typing" every second per visitor: the agents' sockets are not flooded.
      const now = ctx.clock.now().getTime();
      if (f.on && now - lastTyping < 1000) return;
      lastTyping = f.on ? now : 0;
      const conv = await loadConversationRow(ctx.db, visitor.workspaceId, convId);
      if (!conv) return;
      ctx.bus.signal({
        workspaceId: visitor.workspaceId,
        audience: { conversation: accessOf(conv) },
        signal: { type: "typing", conversationId: convId, userId: null, contact: true, on: f.on },
      });
      return;
    }
    await acknowledge(f.type === "received" ? "delivered" : "read", f.upTo, 0);
  };
  socket.on("message", (data: Buffer) => {
    void handle(data).catch((err) => req.log.warn({ err }, "widget frame failed"));
  });
}
