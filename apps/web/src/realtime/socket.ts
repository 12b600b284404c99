import type { ClientFrame, ServerFrame } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { readAgain } from "../api/patch";
import { keys } from "../api/queries";
import { presenceState } from "../features/account/presence";
import { applyEvent, applySignal } from "./apply";
import { applyTyping } from "./typing";

export type SocketState = "connecting" | "open" | "reconnecting";

/**
 * The one agent socket (/api/realtime). Applies events to the query cache as they come; after a drop it
 * reconnects with backoff and `?since=<last seq seen>`, so nothing committed meanwhile is missed; when the
 * server says the gap is too large (resync_required), every query is refetched instead.
 */
export class RealtimeConnection {
  private ws: WebSocket | null = null;
  private lastSeq: number | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  state: SocketState = "connecting";
  private listeners = new Set<(s: SocketState) => void>();

  constructor(
    private readonly qc: QueryClient,
    private readonly userId: string,
  ) {}

  subscribe(fn: (s: SocketState) => void) {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
    };
  }

  private setState(s: SocketState) {
    this.state = s;
    for (const fn of this.listeners) fn(s);
  }

  private unsubscribePresence: (() => void) | null = null;

  start() {
    this.stopped = false;
    this.open();
    // The tab's presence (away by choice or when idle) goes to the server on every change and every connect.
    this.unsubscribePresence = presenceState.subscribe(() => this.sendPresence());
  }

  private sendPresence() {
    if (this.ws?.readyState === WebSocket.OPEN)
      this.ws.send(JSON.stringify({ type: "presence", state: presenceState.current() }));
  }

  /** Sends a frame if the socket is open; ephemeral frames (typing, presence) are not queued. */
  send(frame: ClientFrame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  stop() {
    this.stopped = true;
    this.unsubscribePresence?.();
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
  }

  private open() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const since = this.lastSeq === null ? "" : `?since=${this.lastSeq}`;
    const ws = new WebSocket(`${proto}//${location.host}/api/realtime${since}`);
    this.ws = ws;
    ws.onmessage = (msg) => this.onFrame(JSON.parse(String(msg.data)) as ServerFrame);
    ws.onclose = (e) => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      if (e.code === 4003) {
        // The person must set up two-factor sign-in first: the session, read again, shows the setup.
        this.setState("reconnecting");
        void this.qc.invalidateQueries({ queryKey: keys.session });
        return;
      }
      this.setState("reconnecting");
      // 0.5 s, 1 s, 2 s … up to 15 s, with jitter so a restarted server is not hit by every tab at once.
      const delay = Math.min(15_000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt++;
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  private onFrame(frame: ServerFrame) {
    switch (frame.type) {
      case "hello":
        this.attempt = 0;
        if (presenceState.current() !== "online") this.sendPresence();
        if (this.lastSeq === null) {
          this.lastSeq = frame.lastSeq;
          // What was loaded, or was loading, before the socket was attached may have missed events committed
          // meanwhile: it is read once more. Later connections resume with ?since= and miss nothing.
          void readAgain(this.qc, {
            predicate: (q) =>
              (q.state.dataUpdatedAt > 0 || q.state.fetchStatus !== "idle") &&
              q.queryKey[0] !== keys.session[0],
          });
        }
        this.setState("open");
        return;
      case "event":
        this.onEvents([frame.event]);
        return;
      case "events":
        this.onEvents(frame.events);
        return;
      case "signal":
        if (frame.signal.type === "typing") applyTyping(frame.signal, this.userId);
        else applySignal(this.qc, frame.signal);
        return;
      case "resync_required":
        this.lastSeq = frame.lastSeq;
        void readAgain(this.qc, { predicate: (q) => q.queryKey[0] !== keys.session[0] });
        return;
      case "access":
        // New rights: the session (what the app shows) and every list (what the user may see) change.
        void readAgain(this.qc);
        return;
      case "error":
        return;
    }
  }

  private onEvents(events: Parameters<typeof applyEvent>[2][]) {
    for (const e of events) {
      if (this.lastSeq !== null && e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      applyEvent(this.qc, this.userId, e);
    }
  }
}
