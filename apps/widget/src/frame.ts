import { wireComposer } from "./composer";
import { wireConsent } from "./consent";
import { closeBtn, input, launcher, panel, preChat } from "./dom";
import { flush } from "./outbox";
import { frame, markSeen } from "./send";
import { startSession } from "./session";
import { reconnectNow } from "./socket";
import { type Field, state, store } from "./state";
import { applyTexts, layout, render } from "./view";

/**
 * The chat itself, inside Parley's iframe. Plain DOM (every text through textContent, never HTML), one
 * WebSocket that resumes from the last message seen, and an outbox of the visitor's messages kept in
 * storage and retried with the same client id until the server has them: nothing is lost or doubled.
 */

function setOpen(open: boolean) {
  state.open = open;
  store.set("open", open);
  layout();
}

launcher.addEventListener("click", () => {
  setOpen(!state.open);
  if (state.open) input.focus();
});
closeBtn.addEventListener("click", () => setOpen(false));
wireComposer();
wireConsent();
preChat.addEventListener("submit", async (e) => {
  e.preventDefault();
  const values: Partial<Record<Field, string>> = {};
  for (const box of preChat.querySelectorAll("input")) {
    if (!box.checkValidity()) {
      box.setAttribute("aria-invalid", "true");
      return;
    }
    if (box.value.trim()) values[box.name as Field] = box.value.trim();
  }
  if (await startSession({ contact: values })) {
    store.set("prechatDone", true);
    render();
  }
});

window.addEventListener("focus", markSeen);
document.addEventListener("visibilitychange", markSeen);
window.addEventListener("online", () => {
  reconnectNow();
  void flush();
});
setInterval(() => frame({ type: "ping" }), 25_000);

window.addEventListener("message", (e) => {
  if (e.source !== parent) return;
  const m = e.data as { parley?: string; page?: Record<string, unknown>; identity?: unknown };
  if (m.parley === "context" && !state.context) {
    // The embedding page's origin comes from the browser, not from the page: the server checks it.
    state.context = { page: m.page ?? {}, identity: m.identity ?? null, origin: e.origin };
    void startSession();
  } else if (m.parley === "open" || m.parley === "close") {
    setOpen(m.parley === "open");
  }
});
applyTexts();
panel.hidden = true;
parent.postMessage({ parley: "ready" }, "*");
