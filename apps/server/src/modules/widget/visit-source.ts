import type { Page } from "./schema";
import { describeUserAgent } from "./user-agent";

/**
 * Where the visitor came from, as stored on the visitor and their conversation: pages, referrer, UTM and
 * click ids, browser and OS, language and time zone (only the fields that have a value).
 */
export function visitSource(page: Page, userAgent: string): Record<string, string> {
  const ua = describeUserAgent(userAgent);
  const source: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v) source[k] = v;
  };
  put("landingPage", page.landingPage ?? page.url);
  put("currentPage", page.url);
  put("pageTitle", page.title);
  put("referrer", page.referrer);
  for (const [k, v] of Object.entries(page.utm ?? {})) if (/^(utm_\w+|gclid|fbclid)$/.test(k)) put(k, v);
  put("browser", ua.browser);
  put("os", ua.os);
  put("language", page.language);
  put("timezone", page.timezone);
  return source;
}
