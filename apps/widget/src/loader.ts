/**
 * The script a site embeds: `<script src="https://parley.example/widget/loader.js" data-parley-widget="<id>" async>`.
 * It only creates the chat's iframe (served by Parley, so the page's CSS cannot reach it and its own CSP
 * applies), after the page has loaded. Styles are set through the CSSOM, which a strict style-src allows.
 */
interface Identity {
  userId: string;
  hash?: string;
  name?: string;
  email?: string;
}

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const w = window as unknown as { Parley?: unknown; __parleyLoaded?: boolean };
  if (w.__parleyLoaded) return;
  w.__parleyLoaded = true;
  const base = new URL(script.src).origin;
  const connection = script.dataset.parleyWidget ?? "";
  const d = script.dataset;
  const identity: Identity | null = d.userId
    ? { userId: d.userId, hash: d.userHash, name: d.userName, email: d.userEmail }
    : null;

  // UTM parameters of the landing page are kept for the browser session (later pages lose them).
  const KEY = "parley.landing";
  let landing: { url: string; referrer: string; utm: Record<string, string> };
  try {
    landing = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
  } catch {
    landing = null as never;
  }
  if (!landing) {
    const utm: Record<string, string> = {};
    new URLSearchParams(location.search).forEach((v, k) => {
      if (/^(utm_\w+|gclid|fbclid)$/.test(k)) utm[k] = v.slice(0, 300);
    });
    landing = { url: location.href, referrer: document.referrer, utm };
    try {
      sessionStorage.setItem(KEY, JSON.stringify(landing));
    } catch {
      // storage refused: the landing page is this one
    }
  }

  let frame: HTMLIFrameElement | null = null;
  let open = false;
  const pending: string[] = [];

  const place = (f: HTMLIFrameElement, position: string) => {
    const s = f.style;
    s.position = "fixed";
    s.bottom = "0";
    s.right = position === "left" ? "" : "0";
    s.left = position === "left" ? "0" : "";
    s.border = "0";
    s.zIndex = "2147483000";
    s.colorScheme = "normal";
    s.background = "transparent";
    const small = window.innerWidth < 480;
    s.width = open ? (small ? "100%" : "400px") : "96px";
    s.height = open ? (small ? "100%" : "min(640px, 100%)") : "96px";
  };

  const post = (type: string) => {
    if (frame?.contentWindow) frame.contentWindow.postMessage({ parley: type }, base);
    else pending.push(type);
  };

  const start = () => {
    frame = document.createElement("iframe");
    frame.src = `${base}/widget/frame?connection=${encodeURIComponent(connection)}`;
    frame.title = "Chat";
    frame.setAttribute("data-parley", "frame");
    frame.allow = "clipboard-write";
    let position = "right";
    place(frame, position);
    window.addEventListener("message", (e) => {
      if (e.origin !== base || e.source !== frame?.contentWindow) return;
      const m = e.data as { parley?: string; open?: boolean; position?: string };
      if (m.parley === "ready") {
        frame!.contentWindow!.postMessage(
          {
            parley: "context",
            page: {
              url: location.href,
              title: document.title,
              referrer: landing.referrer,
              landingPage: landing.url,
              utm: landing.utm,
              language: navigator.language,
              timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
            },
            identity,
          },
          base,
        );
        for (const p of pending.splice(0)) post(p);
      } else if (m.parley === "layout") {
        open = Boolean(m.open);
        position = m.position === "left" ? "left" : "right";
        place(frame!, position);
      }
    });
    window.addEventListener("resize", () => frame && place(frame, position));
    document.body.appendChild(frame);
  };

  // A small JS API for the site: Parley.open() / Parley.close().
  w.Parley = { open: () => post("open"), close: () => post("close") };

  // Lazily: after the page itself has loaded, when the browser is idle.
  const later = () =>
    "requestIdleCallback" in window ? requestIdleCallback(start, { timeout: 2000 }) : setTimeout(start, 200);
  if (document.readyState === "complete") later();
  else window.addEventListener("load", later, { once: true });
})();
