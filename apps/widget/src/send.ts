import type { WidgetClientFrame } from "@parley/protocol";
import { agentMaxSeq, state } from "./state";

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
