import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import {
  addUser,
  apiConnection,
  inbound,
  newWorkspace,
  type SocketClient,
  unique,
} from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();
const sockets: SocketClient[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

const assigneeOf = async (id: string) =>
  (
    await t.db.query<{ assignee_id: string | null }>("select assignee_id from conversations where id = $1", [
      id,
    ])
  )[0]!.assignee_id;

describe("the languages I speak (settings → profile)", () => {
  it("an agent sets their own languages: validated, audited, and a waiting conversation in one drains to them", async () => {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const set = await owner.put(`/api/distribution/connections/${conn.id}`, {
      mode: "round_robin",
      matchLanguage: true,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const agent = await addUser(t, owner, "agent", unique("agent"));
    sockets.push(await agent.client.socket(t.wsUrl));
    await eventually(
      async () =>
        (
          await t.db.query("select 1 from presence_sockets where user_id = $1 and state = 'online'", [
            agent.id,
          ])
        ).length > 0,
    );
    expect((await agent.client.get("/api/me/languages")).body).toEqual({ languages: [] });

    // Nobody speaks Russian yet: the conversation waits.
    const r = await conn.post(inbound(unique("c"), "привет", unique("m"), { source: { language: "ru-RU" } }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const waiting = r.body.results[0].conversationId as string;

    // An unknown code is refused with the code named, and nothing changes.
    const bad = await agent.client.put("/api/me/languages", { languages: ["ru", "xx"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('"xx" is not an ISO 639-1 language code');
    expect((await agent.client.get("/api/me/languages")).body.languages).toEqual([]);

    // Codes are kept in lower case without repeats, as on the distribution page.
    const ok = await agent.client.put("/api/me/languages", { languages: ["RU", "ru", "en"] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toEqual({ languages: ["ru", "en"] });
    expect((await agent.client.get("/api/me/languages")).body.languages).toEqual(["ru", "en"]);
    const panel = await owner.get("/api/distribution/panel");
    expect(panel.body.agents.find((a: { id: string }) => a.id === agent.id).languages).toEqual(["ru", "en"]);
    await eventually(async () => (await assigneeOf(waiting)) === agent.id);

    // Each change is an audit entry with what the list was and what it became.
    await agent.client.put("/api/me/languages", { languages: ["uk"] });
    const audit = await t.db.query<{ user_id: string; target_id: string; data: unknown }>(
      "select user_id, target_id, data from audit_log where action = 'profile.languages_changed' and user_id = $1 order by id",
      [agent.id],
    );
    expect(audit).toEqual([
      { user_id: agent.id, target_id: agent.id, data: { from: [], to: ["ru", "en"] } },
      { user_id: agent.id, target_id: agent.id, data: { from: ["ru", "en"], to: ["uk"] } },
    ]);
  });
});
