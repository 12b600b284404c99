import type { App } from "./types";

/**
 * The agent web app's policy: only its own scripts (the build emits no inline script), styles inline too
 * (Mantine injects <style> elements), images also from https (contacts' avatars and linked files), the API
 * and the realtime socket on the same origin, and never inside another site's frame.
 */
export const appPolicy = (publicUrl: string) => {
  const ws = new URL(publicUrl).origin.replace(/^http/, "ws");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "media-src 'self' blob:",
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
};

/** The API's answers (JSON): nothing to run, nothing to frame. */
const NONE_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every response that has not set its own (the widget's frame and the files route set
 * their own policy): a Content-Security-Policy, framing refused, no MIME sniffing, no full URL in the
 * Referer sent to other sites, and HSTS when the public URL is https.
 */
export function securityHeaders(app: App, publicUrl: () => string) {
  app.addHook("onSend", async (req, reply, payload) => {
    const url = publicUrl();
    if (!reply.hasHeader("x-content-type-options")) reply.header("x-content-type-options", "nosniff");
    if (!reply.hasHeader("referrer-policy"))
      reply.header("referrer-policy", "strict-origin-when-cross-origin");
    if (url.startsWith("https://"))
      reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    if (!reply.hasHeader("content-security-policy")) {
      const route = req.routeOptions.url ?? "";
      // The API documentation sets its own policy (hashes of Swagger UI's inline scripts), after this hook.
      const docs = route === "/api/docs" || route.startsWith("/api/docs/");
      // The web app's pages and files (its service worker takes the policy of its own script's response).
      if (!docs)
        reply.header("content-security-policy", route.startsWith("/api/") ? NONE_POLICY : appPolicy(url));
      reply.header("x-frame-options", "DENY");
    }
    return payload;
  });
}
