import type { WidgetClientFrame, WidgetMessage, WidgetServerFrame } from "@parley/protocol";
import { flush } from "./outbox";
import { agentMaxSeq, state, store, wsBase } from "./state";
import { applyTexts, render } from "./view";

/** Sends a frame when the socket is open; otherwise it is dropped (the server catches up on reconnect). */
export function frame(f: WidgetClientFrame) {
  if (state.socket?.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(f));
}

/** The visitor has seen the agents' messages: the widget is open, visible and focused. */
export function markSeen() {
  if (!state.open || document.visibilityState !== "visible" || !document.hasFocus()) return;
  const max = agentMaxSeq();
  if (max > state.seenSent && state.socket?.readyState === WebSocket.OPEN) {
    state.seenSent = max;
    frame({ type: "seen", upTo: max });
  }
}

/** Stores messages from the server, drops their copies from the outbox and acknowledges the agents' ones. */
export function addMessages(list: WidgetMessage[]) {
  let agentMax = 0;
  for (const m of list) {
    state.messages.set(m.id, m);
    state.lastSeq = Math.max(state.lastSeq, m.seq);
    if (m.from === "agent") agentMax = Math.max(agentMax, m.seq);
    if (m.clientId) state.outbox = state.outbox.filter((p) => p.clientId !== m.clientId);
  }
  store.set("outbox", state.outbox);
  if (agentMax > state.receivedSent) {
    state.receivedSent = agentMax;
    frame({ type: "received", upTo: agentMax });
  }
  render();
  markSeen();
}

function onHello(f: Extract<WidgetServerFrame, { type: "hello" }>) {
  state.online = true;
  state.attempt = 0;
  state.conversationId = f.conversationId ?? state.conversationId;
  state.readUpTo = Math.max(state.readUpTo, f.readUpTo);
  // Acknowledgements are sent again after a reconnect: some may have been lost with the connection.
  state.receivedSent = 0;
  state.seenSent = 0;
  const agentMax = agentMaxSeq();
  if (agentMax) {
    state.receivedSent = agentMax;
    frame({ type: "received", upTo: agentMax });
  }
  render();
  markSeen();
  void flush();
}

function onTyping(on: boolean) {
  state.agentTyping = on;
  if (state.agentTypingTimer) clearTimeout(state.agentTypingTimer);
  // An agent's "typing" lapses on its own if the "stopped" never comes.
  if (on) {
    state.agentTypingTimer = setTimeout(() => {
      state.agentTyping = false;
      applyTexts();
    }, 6000);
  }
  applyTexts();
}

/** One WebSocket that resumes after the last message seen and reconnects with backoff when it drops. */
export function connect() {
  if (!state.token || state.socket) return;
  if (state.reconnectTimer) clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  const ws = new WebSocket(
    `${wsBase}/api/widget/socket?token=${encodeURIComponent(state.token)}&after=${state.lastSeq}`,
  );
  state.socket = ws;
  ws.onmessage = (e) => {
    const f = JSON.parse(String(e.data)) as WidgetServerFrame;
    if (f.type === "hello") onHello(f);
    else if (f.type === "messages") addMessages(f.messages);
    else if (f.type === "read") {
      state.readUpTo = Math.max(state.readUpTo, f.upTo);
      render();
    } else if (f.type === "typing") onTyping(f.on);
  };
  ws.onclose = () => {
    if (state.socket === ws) state.socket = null;
    state.online = false;
    applyTexts();
    // Exponential backoff with jitter, at most about 5 seconds.
    const delay = Math.min(5000, 300 * 2 ** state.attempt++) * (0.5 + Math.random() / 2);
    state.reconnectTimer = setTimeout(connect, delay);
  };
}

export function reconnectNow() {
  state.attempt = 0;
  if (state.socket) return;
  connect();
}
