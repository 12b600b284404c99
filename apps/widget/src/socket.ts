import type { WidgetServerFrame } from "@parley/protocol";
import { addMessages } from "./messages";
import { flush } from "./outbox";
import { frame, markSeen } from "./send";
import { agentMaxSeq, state, wsBase } from "./state";
import { applyTexts, render } from "./view";

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
