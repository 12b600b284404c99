import type { WidgetMessage } from "@parley/protocol";
import { renderConsent } from "./consent";
import {
  attachBtn,
  banner,
  closeBtn,
  el,
  input,
  launcher,
  list,
  panel,
  root,
  sendBtn,
  title,
  typing,
} from "./dom";
import { renderPreChat } from "./prechat";
import { markSeen } from "./send";
import { type Pending, state } from "./state";

/** The texts of the visitor's language, and the banner and typing line as the connection stands. */
export function applyTexts() {
  const { t } = state;
  title.textContent = t.title;
  closeBtn.setAttribute("aria-label", t.close);
  launcher.setAttribute("aria-label", state.open ? t.close : t.open);
  input.placeholder = t.placeholder;
  sendBtn.setAttribute("aria-label", t.send);
  attachBtn.setAttribute("aria-label", t.attach);
  typing.textContent = state.agentTyping ? t.typing : "";
  banner.textContent = state.token && !state.online && state.settings ? t.reconnecting : "";
}

/** Opens or closes the panel, and tells the embedding page how much room the widget needs. */
export function layout() {
  const position = state.settings?.position ?? "right";
  panel.hidden = !state.open;
  root.dataset.open = String(state.open);
  root.dataset.position = position;
  parent.postMessage({ parley: "layout", open: state.open, position }, "*");
  applyTexts();
  if (state.open) {
    list.scrollTop = list.scrollHeight;
    markSeen();
  }
}

const tick = (m: WidgetMessage | null): [string, string] => {
  const { t } = state;
  if (!m) return ["pending", t.sending];
  if (state.settings?.readReceipts && m.seq <= state.readUpTo) return ["read", t.read];
  return ["sent", t.sent];
};

function renderMessage(m: WidgetMessage | null, p: Pending | null): HTMLElement {
  const from = m ? m.from : "visitor";
  const row = el("div", `msg ${from}`, { "data-testid": "widget-message", "data-from": from });
  if (m && from === "agent" && m.authorName) {
    const who = el("div", "who");
    who.textContent = m.authorName;
    row.append(who);
  }
  const text = m ? m.text : (p?.text ?? null);
  if (text) {
    const body = el("div", "text");
    body.textContent = text;
    row.append(body);
  }
  for (const a of m?.attachments ?? []) {
    if (a.error || !a.url) continue;
    if (/^image\/(png|jpeg|gif|webp)$/.test(a.mimeType)) {
      const img = el("img", "image", { src: a.url, alt: a.name });
      row.append(img);
    } else {
      const link = el("a", "file", { href: a.url, target: "_blank", rel: "noopener noreferrer" });
      link.textContent = a.name;
      row.append(link);
    }
  }
  for (const name of m ? [] : (p?.names ?? [])) {
    const f = el("div", "file");
    f.textContent = name;
    row.append(f);
  }
  if (from === "visitor") {
    const [shown, label] = p?.error ? ["failed", p.error] : tick(m);
    const meta = el("div", "meta", { "data-testid": "widget-tick", "data-state": shown, title: label });
    meta.textContent = shown === "read" ? "✓✓" : shown === "sent" ? "✓" : shown === "failed" ? "!" : "…";
    row.append(meta);
  }
  return row;
}

/** The greeting, the stored messages in order, then the visitor's messages still on their way. */
export function render() {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  const greeting = state.settings?.greeting;
  if (greeting) {
    const g = el("div", "msg agent greeting", { "data-testid": "widget-greeting" });
    const body = el("div", "text");
    body.textContent = greeting;
    g.append(body);
    list.append(g);
  }
  const sorted = [...state.messages.values()].sort((a, b) => a.seq - b.seq);
  const stored = new Set(sorted.map((m) => m.clientId).filter(Boolean));
  for (const m of sorted) list.append(renderMessage(m, null));
  for (const p of state.outbox) if (!stored.has(p.clientId)) list.append(renderMessage(null, p));
  renderPreChat();
  renderConsent();
  applyTexts();
  if (atBottom || state.open) list.scrollTop = list.scrollHeight;
}
