import type { WidgetMessage } from "@parley/protocol";
import { api } from "./api";
import { preChat, root } from "./dom";
import { dictFor } from "./i18n";
import { addMessages } from "./messages";
import { connect } from "./socket";
import { connection, type Settings, state, store } from "./state";
import { layout } from "./view";

/**
 * Starts or resumes the visitor's session for the embedding page (and the pre-chat answers, if any). A
 * refusal hides the widget; the site's owner sees why in the console.
 */
export async function startSession(extra: Record<string, unknown> = {}) {
  const { context } = state;
  if (!context) return;
  const res = await api<{
    token: string;
    conversationId: string | null;
    messages: WidgetMessage[];
    readUpTo: number;
    contact: typeof state.contact;
    settings: Settings;
    consent?: { asked: boolean; granted: boolean | null };
    error?: { message: string };
  }>("POST", "/api/widget/sessions", {
    connection,
    token: state.token ?? undefined,
    page: { ...context.page, origin: context.origin },
    identity: context.identity ?? undefined,
    ...extra,
  });
  if (res.status !== 200) {
    // A wrong origin or a bad identity hash: the site's owner must fix it; the visitor sees nothing.
    console.error(`Parley chat: ${res.body?.error?.message ?? res.status}`);
    root.hidden = true;
    parent.postMessage({ parley: "layout", open: false, position: "right" }, "*");
    return false;
  }
  const b = res.body;
  if (b.token !== state.token) {
    // A new visitor (or another signed-in user): nothing of the previous one stays on screen.
    state.messages.clear();
    state.lastSeq = 0;
    if (state.token) state.outbox = [];
    store.set("prechatDone", false);
    preChat.replaceChildren();
    state.socket?.close();
  }
  state.token = b.token;
  store.set("token", state.token);
  state.settings = b.settings;
  state.contact = b.contact ?? {};
  state.conversationId = b.conversationId;
  state.consent = b.consent ?? null;
  state.readUpTo = Math.max(state.readUpTo, b.readUpTo);
  state.t = dictFor(b.settings.language);
  document.documentElement.lang = b.settings.language;
  document.documentElement.style.setProperty("--accent", b.settings.color);
  addMessages(b.messages);
  layout();
  connect();
  return true;
}
