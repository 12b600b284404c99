import { composer, el, preChat } from "./dom";
import { FIELDS, state, store } from "./state";

function needsPreChat(): boolean {
  const { settings, contact } = state;
  if (!settings || state.conversationId) return false;
  if (store.get<boolean>("prechatDone", false)) return false;
  const asked = FIELDS.filter((f) => settings.preChat[f] !== "off");
  // A visitor the site already introduced (a verified user with a name or email) is not asked again.
  const known =
    asked.some((f) => contact[f]) && asked.every((f) => settings.preChat[f] !== "required" || contact[f]);
  return asked.length > 0 && !known;
}

/** The form asking who the visitor is, instead of the composer, until the chat has started. */
export function renderPreChat() {
  const show = needsPreChat();
  preChat.hidden = !show;
  composer.hidden = show;
  if (!show || preChat.childElementCount) return;
  const { t } = state;
  const intro = el("p", "intro");
  intro.textContent = t.preChatIntro;
  preChat.append(intro);
  for (const f of FIELDS) {
    const mode = state.settings!.preChat[f];
    if (mode === "off") continue;
    const label = el("label");
    label.textContent = mode === "required" ? `${t[f]} *` : t[f];
    const box = el("input", "", {
      name: f,
      type: f === "email" ? "email" : f === "phone" ? "tel" : "text",
      "data-testid": `widget-prechat-${f}`,
    });
    if (mode === "required") box.required = true;
    label.append(box);
    preChat.append(label);
  }
  const start = el("button", "start", { type: "submit", "data-testid": "widget-prechat-submit" });
  start.textContent = t.start;
  preChat.append(start);
}
