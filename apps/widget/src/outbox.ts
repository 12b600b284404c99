import type { WidgetMessage } from "@parley/protocol";
import { api } from "./api";
import { addMessages } from "./messages";
import { frame } from "./send";
import { state, store } from "./state";
import { render } from "./view";

/** Sends the outbox in order; each message keeps its client id, so a retry is stored once. */
export async function flush() {
  if (state.flushing || !state.token) return;
  state.flushing = true;
  try {
    while (state.outbox.length) {
      const p = state.outbox.find((x) => !x.error);
      if (!p) break;
      let res: {
        status: number;
        body: { conversationId: string; message: WidgetMessage; error?: { message: string } };
      };
      try {
        res = await api("POST", "/api/widget/messages", {
          clientId: p.clientId,
          text: p.text ?? undefined,
          fileIds: p.fileIds,
        });
      } catch {
        setTimeout(flush, 2000); // offline: try again (and on reconnect)
        return;
      }
      if (res.status === 200) {
        const first = !state.conversationId;
        state.conversationId = res.body.conversationId;
        addMessages([res.body.message], false);
        if (first) frame({ type: "sync", after: state.lastSeq });
      } else if (res.status === 429 || res.status >= 500) {
        setTimeout(flush, 3000);
        return;
      } else {
        p.error = res.body?.error?.message ?? state.t.error;
        store.set("outbox", state.outbox);
        render();
      }
    }
  } finally {
    state.flushing = false;
  }
}

const newId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

/** Puts a visitor's message in the outbox (kept in storage) and starts sending. */
export function queue(text: string | null, fileIds: string[], names: string[]) {
  state.outbox.push({ clientId: newId(), text, fileIds, names });
  store.set("outbox", state.outbox);
  render();
  void flush();
}
