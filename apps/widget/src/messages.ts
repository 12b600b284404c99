import type { WidgetMessage } from "@parley/protocol";
import { frame, markSeen } from "./send";
import { state, store } from "./state";
import { render } from "./view";

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
