import { describe, expect, it } from "vitest";
import { addUser, apiConnection, inbound, newWorkspace, unique } from "../testing/harness";
import { eventually, screenshot, signIn, useBrowser } from "./browser";

/** The distribution panel in the browser (R701): load against capacity, the queue, and switching round-robin on. */
const { newPage, serverOnFreshDb } = useBrowser();

/**
 * A shop whose one agent, online, is the pool of a channel that matches languages, and a German customer
 * waiting on it: answers the owner, the agent and their socket.
 */
async function germanWaiting(shop: string, agentName: string) {
  const t = await serverOnFreshDb();
  const { owner } = await newWorkspace(t, shop);
  const conn = await apiConnection(t, owner);
  const agent = await addUser(t, owner, "agent", agentName);
  const socket = await agent.client.socket(t.wsUrl);
  const teamId = (await owner.post("/api/teams", { name: "Languages" })).body.team.id as string;
  expect((await owner.put(`/api/teams/${teamId}/members/${agent.id}`)).status).toBe(200);
  const on = await owner.put(`/api/distribution/connections/${conn.id}`, {
    mode: "round_robin",
    poolTeamId: teamId,
    matchLanguage: true,
  });
  expect(on.status).toBe(200);
  const german = inbound(unique("c"), "hallo", unique("m"), { source: { language: "de-DE" } });
  expect((await conn.post(german)).status).toBe(200);
  return { t, owner, agent, socket };
}

describe("distribution panel", () => {
  it("shows the waiting queue and agents' load; the vacation switch and the capacity field drain the queue", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Distribution Shop");
    const conn = await apiConnection(t, owner);
    const agent = await addUser(t, owner, "agent", "Dana");
    const socket = await agent.client.socket(t.wsUrl);
    try {
      // Dana's team takes this channel's conversations (the owner, online in the browser, is not in it).
      const teamId = (await owner.post("/api/teams", { name: "Support" })).body.team.id as string;
      expect((await owner.put(`/api/teams/${teamId}/members/${agent.id}`)).status).toBe(200);
      // Round-robin on but the only agent on vacation: two customers wait.
      expect(
        (
          await owner.put(`/api/distribution/connections/${conn.id}`, {
            mode: "round_robin",
            poolTeamId: teamId,
          })
        ).status,
      ).toBe(200);
      expect(
        (await owner.put(`/api/distribution/agents/${agent.id}`, { onVacation: true, maxOpen: 1 })).status,
      ).toBe(200);
      for (let i = 0; i < 2; i++) expect((await conn.post(inbound(unique("c"), "hello"))).status).toBe(200);

      const page = await newPage();
      await signIn(page, t.url, owner.user!.email);
      await page.goto(`${t.url}/settings/distribution`);
      // The first load of the page on a busy machine may take longer than one poll.
      await page.getByTestId("distribution-queue").waitFor({ timeout: 60_000 });
      const queue = page.getByTestId("distribution-queue").locator("tbody tr");
      await eventually(() => queue.count()).toBe(2);
      const dana = page.getByTestId("agent-Dana");
      await eventually(() => dana.getByTestId("eligible").textContent()).toBe("No");
      await eventually(() => dana.getByTestId("load").textContent()).toBe("0 / 1");
      // Why they wait: the only agent of the pool is on vacation.
      await eventually(() => queue.first().getByTestId("reason").textContent()).toBe("Nobody online");
      await screenshot(page, "distribution-panel");

      // Back from vacation: the oldest waiting conversation is hers, the other stays queued (capacity 1).
      await dana.locator(".mantine-Switch-track").click();
      await eventually(() => dana.getByTestId("load").textContent()).toBe("1 / 1");
      await eventually(() => queue.count()).toBe(1);

      // More room, typed into the panel: the last one goes to her too.
      const capacity = dana.getByTestId("capacity");
      await capacity.fill("5");
      await capacity.blur();
      await eventually(() => dana.getByTestId("load").textContent()).toBe("2 / 5");
      await eventually(() => page.getByTestId("distribution-queue").count()).toBe(0);
    } finally {
      socket.close();
    }
  });

  it("matching the language: the queue says nobody speaks it; giving an agent the language drains it", async () => {
    const { t, owner, agent, socket } = await germanWaiting("Language Shop", "Olena");
    try {
      expect((await owner.put(`/api/distribution/agents/${agent.id}`, { languages: ["uk"] })).status).toBe(
        200,
      );

      const page = await newPage();
      await signIn(page, t.url, owner.user!.email);
      await page.goto(`${t.url}/settings/distribution`);
      await page.getByTestId("distribution-queue").waitFor({ timeout: 60_000 });
      const queue = page.getByTestId("distribution-queue").locator("tbody tr");
      await eventually(() => queue.first().getByTestId("reason").textContent()).toBe(
        "Nobody speaks its language (de-DE)",
      );
      const olena = page.getByTestId("agent-Olena");
      const languages = olena.getByTestId("languages").locator('input:not([type="hidden"])');
      await languages.fill("de");
      await languages.press("Enter");
      await eventually(() => olena.getByTestId("load").textContent()).toBe("1");
      await eventually(() => page.getByTestId("distribution-queue").count()).toBe(0);
      const panel = await owner.get("/api/distribution/panel");
      const saved = panel.body.agents.find((a: { id: string }) => a.id === agent.id);
      expect(saved.languages).toEqual(["uk", "de"]);
    } finally {
      socket.close();
    }
  });

  it("an agent types the languages they speak on their profile: an unknown code says why, a known one drains the queue", async () => {
    const { t, owner, agent, socket } = await germanWaiting("Profile Language Shop", "Mykola");
    try {
      const page = await newPage();
      await signIn(page, t.url, agent.client.user!.email);
      await page.goto(`${t.url}/settings/profile`);
      const panel = page.getByTestId("profile-languages");
      await panel.waitFor({ timeout: 60_000 });
      const input = panel.locator('input:not([type="hidden"])');
      await input.fill("xx");
      await input.press("Enter");
      await eventually(() => panel.getByRole("alert").textContent()).toContain(
        '"xx" is not an ISO 639-1 language code',
      );
      expect((await agent.client.get("/api/me/languages")).body.languages).toEqual([]);
      await input.fill("DE");
      await input.press("Enter");
      await eventually(async () => (await agent.client.get("/api/me/languages")).body.languages).toEqual([
        "de",
      ]);
      // The German customer, waiting for a speaker, is his now.
      await eventually(async () => (await owner.get("/api/distribution/panel")).body.queue.length).toBe(0);
      const mine = (await owner.get("/api/distribution/panel")).body.agents.find(
        (a: { id: string }) => a.id === agent.id,
      );
      expect(mine.open).toBe(1);
      await screenshot(page, "profile-languages");
    } finally {
      socket.close();
    }
  });
});
