import type { WidgetClientFrame, WidgetMessage, WidgetServerFrame } from "@parley/protocol";
import { type Dict, dictFor } from "./i18n";

/**
 * The chat itself, inside Parley's iframe. Plain DOM (every text through textContent, never HTML), one
 * WebSocket that resumes from the last message seen, and an outbox of the visitor's messages kept in
 * storage and retried with the same client id until the server has them: nothing is lost or doubled.
 */

type Field = "name" | "email" | "phone";
interface Settings {
  greeting: string;
  color: string;
  position: "left" | "right";
  language: string;
  preChat: Record<Field, "off" | "optional" | "required">;
  readReceipts: boolean;
  maxFileBytes: number;
  textMaxChars: number;
}
interface Pending {
  clientId: string;
  text: string | null;
  fileIds: string[];
  names: string[];
  error?: string;
}

const params = new URLSearchParams(location.search);
const connection = params.get("connection") ?? "";
const KEY = `parley.visitor.${connection}`;
const wsBase = location.origin.replace(/^http/, "ws");

const store = {
  get<T>(k: string, fallback: T): T {
    try {
      const v = localStorage.getItem(`${KEY}.${k}`);
      return v ? (JSON.parse(v) as T) : fallback;
    } catch {
      return fallback;
    }
  },
  set(k: string, v: unknown) {
    try {
      localStorage.setItem(`${KEY}.${k}`, JSON.stringify(v));
    } catch {
      // storage refused (private mode): the session lasts as long as the page
    }
  },
};

let t: Dict = dictFor("en");
let settings: Settings | null = null;
let token: string | null = store.get<string | null>("token", null);
let conversationId: string | null = null;
let contact: Partial<Record<Field, string>> = {};
const messages = new Map<string, WidgetMessage>();
let lastSeq = 0;
let readUpTo = 0;
let outbox: Pending[] = store.get<Pending[]>("outbox", []);
let open = store.get<boolean>("open", false);
let socket: WebSocket | null = null;
let online = false;
let attempt = 0;
let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
let agentTyping = false;
let agentTypingTimer: ReturnType<typeof setTimeout> | null = null;
let seenSent = 0;
let receivedSent = 0;
let flushing = false;
let context: { page: Record<string, unknown>; identity: unknown; origin: string } | null = null;

// ---- DOM ------------------------------------------------------------------------------------------

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};

const root = document.getElementById("parley-widget")!;
const panel = el("section", "panel", { "data-testid": "widget-panel" });
const header = el("header", "header");
const title = el("h1", "title");
const closeBtn = el("button", "close", { type: "button", "data-testid": "widget-close" });
closeBtn.textContent = "×";
header.append(title, closeBtn);
const banner = el("div", "banner", { role: "status", "data-testid": "widget-banner" });
const list = el("div", "list", { "data-testid": "widget-messages", "aria-live": "polite" });
const typing = el("div", "typing", { "data-testid": "widget-typing" });
const preChat = el("form", "prechat", { "data-testid": "widget-prechat", novalidate: "" });
const composer = el("form", "composer");
const fileInput = el("input", "file", { type: "file", "data-testid": "widget-file" });
/** A small stroked icon (built through the DOM: no HTML strings anywhere in the widget). */
function icon(d: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}
const attachBtn = el("button", "attach", { type: "button", "data-testid": "widget-attach" });
attachBtn.append(
  icon("M15 7l-6.5 6.5a1.5 1.5 0 0 0 3 3L18 10a3 3 0 0 0-6-6l-6.5 6.5a4.5 4.5 0 0 0 9 9L21 13"),
);
const input = el("textarea", "input", { rows: "1", "data-testid": "widget-input" });
const sendBtn = el("button", "send", { type: "submit", "data-testid": "widget-send" });
sendBtn.append(icon("M10 14L21 3M21 3l-6.5 18a.55.55 0 0 1-1 0L10 14l-7-3.5a.55.55 0 0 1 0-1L21 3"));
composer.append(fileInput, attachBtn, input, sendBtn);
panel.append(header, banner, list, typing, preChat, composer);
const launcher = el("button", "launcher", { type: "button", "data-testid": "widget-launcher" });
launcher.append(icon("M3 20l1.3-3.9A9 8 0 1 1 7.7 19L3 20"));
root.append(panel, launcher);

function applyTexts() {
  title.textContent = t.title;
  closeBtn.setAttribute("aria-label", t.close);
  launcher.setAttribute("aria-label", open ? t.close : t.open);
  input.placeholder = t.placeholder;
  sendBtn.setAttribute("aria-label", t.send);
  attachBtn.setAttribute("aria-label", t.attach);
  typing.textContent = agentTyping ? t.typing : "";
  banner.textContent = token && !online && settings ? t.reconnecting : "";
}

function layout() {
  panel.hidden = !open;
  root.dataset.open = String(open);
  root.dataset.position = settings?.position ?? "right";
  parent.postMessage({ parley: "layout", open, position: settings?.position ?? "right" }, "*");
  applyTexts();
  if (open) {
    list.scrollTop = list.scrollHeight;
    markSeen();
  }
}

function needsPreChat(): boolean {
  if (!settings || conversationId) return false;
  if (store.get<boolean>("prechatDone", false)) return false;
  const asked = (["name", "email", "phone"] as const).filter((f) => settings!.preChat[f] !== "off");
  // A visitor the site already introduced (a verified user with a name or email) is not asked again.
  const known =
    asked.some((f) => contact[f]) && asked.every((f) => settings!.preChat[f] !== "required" || contact[f]);
  return asked.length > 0 && !known;
}

function renderPreChat() {
  const show = needsPreChat();
  preChat.hidden = !show;
  composer.hidden = show;
  if (!show || preChat.childElementCount) return;
  const intro = el("p", "intro");
  intro.textContent = t.preChatIntro;
  preChat.append(intro);
  for (const f of ["name", "email", "phone"] as const) {
    const mode = settings!.preChat[f];
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

const tick = (m: WidgetMessage | null): [string, string] => {
  if (!m) return ["pending", t.sending];
  if (settings?.readReceipts && m.seq <= readUpTo) return ["read", t.read];
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
    const [state, label] = p?.error ? ["failed", p.error] : tick(m);
    const meta = el("div", "meta", { "data-testid": "widget-tick", "data-state": state, title: label });
    meta.textContent = state === "read" ? "✓✓" : state === "sent" ? "✓" : state === "failed" ? "!" : "…";
    row.append(meta);
  }
  return row;
}

function render() {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  if (settings?.greeting) {
    const g = el("div", "msg agent greeting", { "data-testid": "widget-greeting" });
    const body = el("div", "text");
    body.textContent = settings.greeting;
    g.append(body);
    list.append(g);
  }
  const sorted = [...messages.values()].sort((a, b) => a.seq - b.seq);
  const stored = new Set(sorted.map((m) => m.clientId).filter(Boolean));
  for (const m of sorted) list.append(renderMessage(m, null));
  for (const p of outbox) if (!stored.has(p.clientId)) list.append(renderMessage(null, p));
  renderPreChat();
  applyTexts();
  if (atBottom || open) list.scrollTop = list.scrollHeight;
}

// ---- protocol -------------------------------------------------------------------------------------

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(path, {
    method,
    headers: {
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

function addMessages(list: WidgetMessage[]) {
  let agentMax = 0;
  for (const m of list) {
    messages.set(m.id, m);
    lastSeq = Math.max(lastSeq, m.seq);
    if (m.from === "agent") agentMax = Math.max(agentMax, m.seq);
    if (m.clientId) outbox = outbox.filter((p) => p.clientId !== m.clientId);
  }
  store.set("outbox", outbox);
  if (agentMax > receivedSent) {
    receivedSent = agentMax;
    frame({ type: "received", upTo: agentMax });
  }
  render();
  markSeen();
}

function frame(f: WidgetClientFrame) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(f));
}

/** The visitor has seen the agents' messages: the widget is open, visible and focused. */
function markSeen() {
  if (!open || document.visibilityState !== "visible" || !document.hasFocus()) return;
  let max = 0;
  for (const m of messages.values()) if (m.from === "agent") max = Math.max(max, m.seq);
  if (max > seenSent && socket?.readyState === WebSocket.OPEN) {
    seenSent = max;
    frame({ type: "seen", upTo: max });
  }
}

function connect() {
  if (!token || socket) return;
  if (reconnectTimer) clearTimeout(reconnectTimer);
  reconnectTimer = null;
  const ws = new WebSocket(`${wsBase}/api/widget/socket?token=${encodeURIComponent(token)}&after=${lastSeq}`);
  socket = ws;
  ws.onmessage = (e) => {
    const f = JSON.parse(String(e.data)) as WidgetServerFrame;
    if (f.type === "hello") {
      online = true;
      attempt = 0;
      conversationId = f.conversationId ?? conversationId;
      readUpTo = Math.max(readUpTo, f.readUpTo);
      // Acknowledgements are sent again after a reconnect: some may have been lost with the connection.
      receivedSent = 0;
      seenSent = 0;
      let agentMax = 0;
      for (const m of messages.values()) if (m.from === "agent") agentMax = Math.max(agentMax, m.seq);
      if (agentMax) {
        receivedSent = agentMax;
        frame({ type: "received", upTo: agentMax });
      }
      render();
      markSeen();
      void flush();
    } else if (f.type === "messages") addMessages(f.messages);
    else if (f.type === "read") {
      readUpTo = Math.max(readUpTo, f.upTo);
      render();
    } else if (f.type === "typing") {
      agentTyping = f.on;
      if (agentTypingTimer) clearTimeout(agentTypingTimer);
      // An agent's "typing" lapses on its own if the "stopped" never comes.
      if (f.on) {
        agentTypingTimer = setTimeout(() => {
          agentTyping = false;
          applyTexts();
        }, 6000);
      }
      applyTexts();
    }
  };
  ws.onclose = () => {
    if (socket === ws) socket = null;
    online = false;
    applyTexts();
    // Exponential backoff with jitter, at most about 5 seconds.
    const delay = Math.min(5000, 300 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    reconnectTimer = setTimeout(connect, delay);
  };
}

function reconnectNow() {
  attempt = 0;
  if (socket) return;
  connect();
}

/** Sends the outbox in order; each message keeps its client id, so a retry is stored once. */
async function flush() {
  if (flushing || !token) return;
  flushing = true;
  try {
    while (outbox.length) {
      const p = outbox.find((x) => !x.error);
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
        const first = !conversationId;
        conversationId = res.body.conversationId;
        addMessages([res.body.message]);
        if (first) frame({ type: "sync", after: lastSeq });
      } else if (res.status === 429 || res.status >= 500) {
        setTimeout(flush, 3000);
        return;
      } else {
        p.error = res.body?.error?.message ?? t.error;
        store.set("outbox", outbox);
        render();
      }
    }
  } finally {
    flushing = false;
  }
}

const newId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

function queue(text: string | null, fileIds: string[], names: string[]) {
  outbox.push({ clientId: newId(), text, fileIds, names });
  store.set("outbox", outbox);
  render();
  void flush();
}

async function startSession(extra: Record<string, unknown> = {}) {
  if (!context) return;
  const res = await api<{
    token: string;
    conversationId: string | null;
    messages: WidgetMessage[];
    readUpTo: number;
    contact: typeof contact;
    settings: Settings;
    error?: { message: string };
  }>("POST", "/api/widget/sessions", {
    connection,
    token: token ?? undefined,
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
  if (b.token !== token) {
    // A new visitor (or another signed-in user): nothing of the previous one stays on screen.
    messages.clear();
    lastSeq = 0;
    if (token) outbox = [];
    store.set("prechatDone", false);
    preChat.replaceChildren();
    socket?.close();
  }
  token = b.token;
  store.set("token", token);
  settings = b.settings;
  contact = b.contact ?? {};
  conversationId = b.conversationId;
  readUpTo = Math.max(readUpTo, b.readUpTo);
  t = dictFor(settings.language);
  document.documentElement.lang = settings.language;
  document.documentElement.style.setProperty("--accent", settings.color);
  addMessages(b.messages);
  layout();
  connect();
  return true;
}

// ---- events ---------------------------------------------------------------------------------------

launcher.addEventListener("click", () => {
  open = !open;
  store.set("open", open);
  layout();
  if (open) input.focus();
});
closeBtn.addEventListener("click", () => {
  open = false;
  store.set("open", false);
  layout();
});

let lastTyping = 0;
let idle: ReturnType<typeof setTimeout> | null = null;
input.addEventListener("input", () => {
  const now = Date.now();
  if (now - lastTyping > 2500) {
    lastTyping = now;
    frame({ type: "typing", on: true });
  }
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => {
    lastTyping = 0;
    frame({ type: "typing", on: false });
  }, 4000);
});
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    composer.requestSubmit();
  }
});
composer.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  if (idle) clearTimeout(idle);
  lastTyping = 0;
  frame({ type: "typing", on: false });
  queue(text.slice(0, settings?.textMaxChars ?? 10_000), [], []);
});
attachBtn.addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", async () => {
  const file = fileInput.files?.[0];
  fileInput.value = "";
  if (!file || !settings) return;
  if (file.size > settings.maxFileBytes) {
    banner.textContent = t.fileTooLarge.replace("{mb}", String(Math.floor(settings.maxFileBytes / 1048576)));
    return;
  }
  const data = await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(",")[1] ?? "");
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
  const res = await api<{ fileId: string; error?: { message: string } }>("POST", "/api/widget/uploads", {
    name: file.name,
    mimeType: file.type || "application/octet-stream",
    data,
  });
  if (res.status !== 201) {
    banner.textContent = res.body?.error?.message ?? t.error;
    return;
  }
  queue(null, [res.body.fileId], [file.name]);
});
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
  if (m.parley === "context" && !context) {
    // The embedding page's origin comes from the browser, not from the page: the server checks it.
    context = { page: m.page ?? {}, identity: m.identity ?? null, origin: e.origin };
    void startSession();
  } else if (m.parley === "open" || m.parley === "close") {
    open = m.parley === "open";
    store.set("open", open);
    layout();
  }
});
applyTexts();
panel.hidden = true;
parent.postMessage({ parley: "ready" }, "*");
