import { describeUserAgent } from "../widget/user-agent";

/** A browser family on an operating system ("Firefox on Linux"): versions change, the family stays. */
export function deviceFamily(userAgent: string | null | undefined): string {
  if (!userAgent) return "unknown";
  const { browser, os } = describeUserAgent(userAgent);
  return `${browser.replace(/\s+\d+$/, "")} on ${os}`;
}
