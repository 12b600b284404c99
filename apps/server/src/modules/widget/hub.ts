import type { WidgetServerFrame } from "@parley/protocol";
import type { AppContext } from "../../context";
import type { StoredEvent } from "../../events/store";
import { presentForVisitor } from "./present";
import { agentsReadUpTo, type Visitor, visibleToVisitor } from "./visitors";

/** One open visitor socket. */
export interface VisitorSession {
  visitor: Visitor;
  conversationId: string | null;
  /** Highest "agents read up to" sent, so the visitor only gets news. */
  readUpTo: number;
  push(frame: WidgetServerFrame): void;
  close(code: number, reason: string): void;
  /** Sends what the visitor missed since the last message and read progress sent (the bus was down). */
  catchUp(): Promise<void>;
}

/**
 * Fans committed events out to visitor sockets: the agents' replies of the visitor's own conversation,
 * agents' read progress and typing. Notes and system events never reach a visitor. Events are handled one
 * after another (a promise chain) so a visitor sees replies in commit order.
 */
export class WidgetHub {
  private readonly byConversation = new Map<string, Set<VisitorSession>>();
  private readonly sessions = new Set<VisitorSession>();
  private readonly names = new Map<string, string | null>();
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly unsubscribeSignals: () => void;
  private readonly unsubscribeResume: () => void;

  constructor(private readonly ctx: AppContext) {
    this.unsubscribe = ctx.bus.subscribe((events) => {
      const mine = events.filter(
        (e) => "conversationId" in e.event && this.byConversation.has(e.event.conversationId),
      );
      if (mine.length === 0) return;
      this.chain = this.chain
        .then(() => this.deliver(mine))
        .catch((err) => ctx.log.warn({ err }, "widget fan-out"));
    });
    this.unsubscribeSignals = ctx.bus.onSignal(({ signal }) => {
      if (signal.type !== "typing" || signal.contact) return;
      for (const s of this.byConversation.get(signal.conversationId) ?? [])
        s.push({ type: "typing", on: signal.on });
    });
    // The bus was down: other processes' replies were not announced. Each visitor following a conversation
    // reads what came after the last message sent to them, in line with the live events.
    this.unsubscribeResume = ctx.bus.onResume(() => {
      const following = [...this.sessions].filter((s) => s.conversationId);
      this.chain = this.chain
        .then(async () => {
          for (const s of following) if (this.sessions.has(s)) await s.catchUp();
        })
        .catch((err) => ctx.log.warn({ err }, "widget catch-up"));
    });
  }

  add(session: VisitorSession) {
    this.sessions.add(session);
    if (session.conversationId) this.watch(session, session.conversationId);
  }

  watch(session: VisitorSession, conversationId: string) {
    if (session.conversationId && session.conversationId !== conversationId) this.unwatch(session);
    session.conversationId = conversationId;
    let set = this.byConversation.get(conversationId);
    if (!set) {
      set = new Set();
      this.byConversation.set(conversationId, set);
    }
    set.add(session);
  }

  /**
   * A visitor's first message created their conversation: their other open sockets here (other tabs) start
   * following it. Returns those sessions so the caller can send them what they missed.
   */
  follow(connectionId: string, externalId: string, conversationId: string): VisitorSession[] {
    const joined: VisitorSession[] = [];
    for (const s of this.sessions) {
      if (s.conversationId || s.visitor.connectionId !== connectionId || s.visitor.externalId !== externalId)
        continue;
      this.watch(s, conversationId);
      joined.push(s);
    }
    return joined;
  }

  remove(session: VisitorSession) {
    this.sessions.delete(session);
    this.unwatch(session);
  }

  private unwatch(session: VisitorSession) {
    if (!session.conversationId) return;
    const set = this.byConversation.get(session.conversationId);
    set?.delete(session);
    if (set?.size === 0) this.byConversation.delete(session.conversationId);
  }

  /** Closes a visitor's sockets (they reconnect and resume); used when a session ends and by tests. */
  closeVisitor(visitorId: string, code = 4000, reason = "closed") {
    for (const s of [...this.sessions]) if (s.visitor.id === visitorId) s.close(code, reason);
  }

  count() {
    return this.sessions.size;
  }

  stop() {
    this.unsubscribe();
    this.unsubscribeSignals();
    this.unsubscribeResume();
    for (const s of [...this.sessions]) s.close(1012, "server restarting");
  }

  private async authorName(userId: string | null): Promise<string | null> {
    if (!userId) return null;
    if (!this.names.has(userId)) {
      const [row] = await this.ctx.db.query<{ name: string }>("select name from users where id = $1", [
        userId,
      ]);
      if (this.names.size > 5000) this.names.clear();
      this.names.set(userId, row?.name ?? null);
    }
    return this.names.get(userId) ?? null;
  }

  private async deliver(events: StoredEvent[]) {
    for (const { event } of events) {
      if (!("conversationId" in event)) continue;
      const sessions = this.byConversation.get(event.conversationId);
      if (!sessions?.size) continue;
      if (event.type === "message.created" && visibleToVisitor(event.message)) {
        const m = event.message;
        const message = presentForVisitor(this.ctx, {
          id: m.id,
          seq: m.seq,
          direction: m.direction,
          text: m.text,
          attachments: m.attachments,
          providerMessageId: m.providerMessageId,
          authorName: m.authorType === "user" ? await this.authorName(m.authorId) : null,
          createdAt: m.createdAt,
        });
        for (const s of sessions) s.push({ type: "messages", messages: [message] });
      } else if (event.type === "read_cursor.updated") {
        for (const s of sessions) {
          const upTo = await agentsReadUpTo(this.ctx.db, s.visitor, event.conversationId);
          if (upTo > s.readUpTo) {
            s.readUpTo = upTo;
            s.push({ type: "read", upTo });
          }
        }
      }
    }
  }
}
