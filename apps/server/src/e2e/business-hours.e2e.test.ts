import { describe, expect, it } from "vitest";
import { newWorkspace } from "../testing/harness";
import { eventually, signIn, useBrowser } from "./browser";

/** The business hours editor in the browser: weekly grid, time zone, holidays, a team's own hours. */
const { newPage, serverOnFreshDb } = useBrowser();

describe("business hours page", () => {
  it("saves the workspace's weekly hours with a time zone and a holiday, then a team's own hours", async () => {
    const t = await serverOnFreshDb();
    const { owner } = await newWorkspace(t, "Hours Shop");
    const team = (await owner.post("/api/teams", { name: "Night shift" })).body.team;
    const page = await newPage();
    await signIn(page, t.url, owner.user!.email);
    await page.goto(`${t.url}/settings/hours`);
    await page.getByTestId("hours-status").getByText("No hours set: always open.").waitFor();

    await page.getByTestId("hours-time-zone").fill("Europe/Kyiv");
    await page.getByRole("option", { name: "Europe/Kyiv", exact: true }).click();
    const monday = page.getByTestId("hours-day-1");
    await monday.getByLabel("From").first().fill("10:00");
    await page.getByTestId("hours-add-1").click();
    await monday.getByLabel("From").nth(1).fill("20:00");
    await monday.getByLabel("To").nth(1).fill("02:00");
    await page.getByTestId("hours-add-holiday").click();
    await page.getByTestId("hours-holiday").getByLabel("Date").fill("2026-12-25");
    await page.getByTestId("hours-holiday").getByLabel("Name (optional)").fill("Christmas");
    await page.getByTestId("hours-save").click();
    await page.getByTestId("hours-status").getByText("These hours apply.").waitFor();

    const saved = (await owner.get("/api/hours")).body.workspace;
    expect(saved.timeZone).toBe("Europe/Kyiv");
    expect(saved.weekly.filter((w: { day: number }) => w.day === 1)).toEqual([
      { day: 1, from: "10:00", to: "18:00" },
      { day: 1, from: "20:00", to: "02:00" },
    ]);
    expect(saved.weekly).toHaveLength(6);
    expect(saved.holidays).toEqual([{ date: "2026-12-25", name: "Christmas" }]);

    // A team uses the workspace's hours until it has its own.
    await page.getByTestId("hours-scope").click();
    await page.getByRole("option", { name: "Team Night shift" }).click();
    await page.getByTestId("hours-status").getByText("This team uses the workspace's hours").waitFor();
    await page.getByTestId("hours-save").click();
    await eventually(async () => (await owner.get("/api/hours")).body.teams[0].hours?.timeZone ?? null).toBe(
      "Europe/Kyiv",
    );
    expect((await owner.get("/api/hours")).body.teams[0].teamId).toBe(team.id);
  });
});
