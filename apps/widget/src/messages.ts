import type { WidgetMessage } from "@parley/protocol";
import { frame, markSeen } from "./send";
import { state, store } from "./state";
import { render } from "./view";

/**
 * Stores messages from the server, drops their copies from the outbox and acknowledges the agents' ones.
 * `inOrder`: the list is all there is up to its last message (the socket's stream, the session's history),
 * so the socket resumes after it. The answer to the visitor's own message is not: a reply an agent wrote
 * while the socket was down comes before it, and resuming after it would skip that reply.
 */
export function addMessages(list: WidgetMessage[], inOrder = true) {
  let agentMax = 0;
  for (const m of list) {
    state.messages.set(m.id, m);
    if (inOrder) state.lastSeq = Math.max(state.lastSeq, m.seq);
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
