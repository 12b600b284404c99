import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { apiConnection, inbound, newWorkspace } from "../testing/harness";
import { signIn, useBrowser } from "./browser";

/**
 * Every page of the agent web app (the routes of apps/web/src/App.tsx) and the API documentation, loaded
 * in a real browser under the Content-Security-Policy the server sends: no violation, no page error.
 */
const { newPage, serverOnFreshDb } = useBrowser();

/** Records the policy violations a page reports, from its console and from the DOM event. */
async function watch(page: Page) {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) violations.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => violations.push(`page error: ${e.message}`));
  // In the page (a string: the server's types know no DOM).
  await page.addInitScript(`document.addEventListener("securitypolicyviolation", (e) => {
    (window.__csp ??= []).push(e.violatedDirective + " " + e.blockedURI);
  });`);
  return {
    violations,
    /** Violations reported by the page now shown (the event's list lives in the page). */
    async collect(label: string) {
      const events = (await page.evaluate("window.__csp ?? []")) as string[];
      return [...violations.splice(0), ...events.map((e) => `event: ${e}`)].map((v) => `${label}: ${v}`);
    },
  };
}

describe("content security policy", () => {
  it("loads every page of the web app and the API docs without a policy violation", async () => {
    const t = await serverOnFreshDb();
    const found: string[] = [];

    // First run: the set-up page (no one exists yet).
    const first = await newPage();
    const w0 = await watch(first);
    const setup = await first.goto(`${t.url}/setup`);
    expect(setup?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await first.getByRole("button").first().waitFor();
    expect(first.url()).toMatch(/\/setup$/);
    found.push(...(await w0.collect("/setup")));
    await first.close();

    const { owner } = await newWorkspace(t, "Policy Shop");
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound("csp-1", "Hello under a policy"));
    const conversationId = r.body.results[0].conversationId as string;
    const invite = await owner.post("/api/invitations", { email: "csp-invitee@example.com", role: "agent" });
    const inviteUrl = String(invite.body.acceptUrl).replace(/^https?:\/\/[^/]+/, t.url);

    const page = await newPage();
    const w = await watch(page);
    await page.goto(`${t.url}/sign-in`);
    await page.getByLabel("Email").waitFor();
    found.push(...(await w.collect("/sign-in")));
    await page.goto(inviteUrl);
    await page.getByText("csp-invitee@example.com").first().waitFor();
    found.push(...(await w.collect("/invite/:token")));

    await signIn(page, t.url, owner.user!.email);
    const pages = [
      "/inbox",
      `/inbox/${conversationId}`,
      "/tasks",
      "/contacts",
      "/settings/channels",
      "/settings/widget",
      "/settings/profile",
      "/settings/users",
      "/log",
      "/analytics",
      "/reports/receipts",
      "/settings/receipts",
      "/settings/notifications",
    ];
    for (const path of pages) {
      const res = await page.goto(t.url + path);
      // The policy is in force (a page without one would report nothing).
      expect(res?.headers()["content-security-policy"], path).toContain("script-src 'self';");
      await page.getByTestId("user-menu").waitFor();
      // The page's lazy chunk has loaded and rendered (more than the shell), and its requests have settled.
      await page.waitForLoadState("networkidle");
      expect(page.url(), path).toContain(path.split("?")[0]!);
      if (path.startsWith("/inbox/")) await page.getByText("Hello under a policy").first().waitFor();
      found.push(...(await w.collect(path)));
    }

    // The API documentation works under its own policy.
    await page.goto(`${t.url}/api/docs`);
    await page.getByText("Parley API").first().waitFor();
    await page.waitForLoadState("networkidle");
    found.push(...(await w.collect("/api/docs")));

    expect(found).toEqual([]);
  }, 180_000); // sixteen pages, each with its own chunk, on a shared machine
});
