/** The widget's elements, built through the DOM: every text goes through textContent, never HTML. */

export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};

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

export const root = document.getElementById("parley-widget")!;
export const panel = el("section", "panel", { "data-testid": "widget-panel" });
const header = el("header", "header");
export const title = el("h1", "title");
export const closeBtn = el("button", "close", { type: "button", "data-testid": "widget-close" });
closeBtn.textContent = "×";
header.append(title, closeBtn);
export const banner = el("div", "banner", { role: "status", "data-testid": "widget-banner" });
export const list = el("div", "list", { "data-testid": "widget-messages", "aria-live": "polite" });
export const typing = el("div", "typing", { "data-testid": "widget-typing" });
export const preChat = el("form", "prechat", { "data-testid": "widget-prechat", novalidate: "" });
export const consent = el("div", "consent", { role: "group", "data-testid": "widget-consent" });
export const consentText = el("p");
export const consentYes = el("button", "yes", { type: "button", "data-testid": "widget-consent-yes" });
export const consentNo = el("button", "no", { type: "button", "data-testid": "widget-consent-no" });
consent.append(consentText, consentYes, consentNo);
export const composer = el("form", "composer");
export const fileInput = el("input", "file", { type: "file", "data-testid": "widget-file" });
export const attachBtn = el("button", "attach", { type: "button", "data-testid": "widget-attach" });
attachBtn.append(
  icon("M15 7l-6.5 6.5a1.5 1.5 0 0 0 3 3L18 10a3 3 0 0 0-6-6l-6.5 6.5a4.5 4.5 0 0 0 9 9L21 13"),
);
export const input = el("textarea", "input", { rows: "1", "data-testid": "widget-input" });
export const sendBtn = el("button", "send", { type: "submit", "data-testid": "widget-send" });
sendBtn.append(icon("M10 14L21 3M21 3l-6.5 18a.55.55 0 0 1-1 0L10 14l-7-3.5a.55.55 0 0 1 0-1L21 3"));
composer.append(fileInput, attachBtn, input, sendBtn);
panel.append(header, banner, list, typing, preChat, consent, composer);
export const launcher = el("button", "launcher", { type: "button", "data-testid": "widget-launcher" });
launcher.append(icon("M3 20l1.3-3.9A9 8 0 1 1 7.7 19L3 20"));
root.append(panel, launcher);
