import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

/**
 * An export holds the conversations its caller may read, as the log and the inbox list do: holding
 * `data.export` without "see all conversations" exports one's own, those one operates and one's team's queue,
 * never another team's.
 */
const t = useTestServer();

let owner: Client;
let workspaceId: string;
/** In team A, with a custom role holding `data.export` but not `conversations.view_all`. */
let exporter: { client: Client; id: string };
let colleague: { client: Client; id: string };
let supervisor: { client: Client; id: string };

interface Conv {
  key: string;
  id: string;
  status: "open" | "closed";
  /** Every text in it (messages and a note), unique to it. */
  texts: string[];
  note: string;
}
const convs: Record<string, Conv> = {};

/** What the exporter may read (by the read rule), and what they may not. */
const READABLE = ["queueA", "queueNoTeam", "assignedToMe", "operated", "openQueueA"] as const;
const HIDDEN = ["queueB", "teamAOthers", "teamBOthers", "openQueueB"] as const;
const CLOSED_READABLE = ["queueA", "queueNoTeam", "assignedToMe", "operated"] as const;

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  exporter = await addUser(t, owner, "agent");
  colleague = await addUser(t, owner, "agent");
  supervisor = await addUser(t, owner, "supervisor");
  const role = await owner.post("/api/roles", {
    name: unique("exporter"),
    base: "agent",
    permissions: ["conversations.reply", "data.export"],
  });
  expect(role.status).toBe(201);
  expect((await owner.patch(`/api/users/${exporter.id}`, { customRoleId: role.body.role.id })).status).toBe(
    200,
  );
  const teamA = (await owner.post("/api/teams", { name: unique("team-a") })).body.team.id as string;
  const teamB = (await owner.post("/api/teams", { name: unique("team-b") })).body.team.id as string;
  expect((await owner.put(`/api/teams/${teamA}/members/${exporter.id}`)).status).toBe(200);
  expect((await owner.put(`/api/teams/${teamB}/members/${colleague.id}`)).status).toBe(200);

  const conn = await apiConnection(t, owner);
  const plan: {
    key: string;
    team: string | null;
    assignee: string | null;
    operator?: string;
    status: "open" | "closed";
  }[] = [
    { key: "queueA", team: teamA, assignee: null, status: "closed" },
    { key: "queueNoTeam", team: null, assignee: null, status: "closed" },
    { key: "assignedToMe", team: teamB, assignee: exporter.id, status: "closed" },
    { key: "operated", team: teamB, assignee: colleague.id, operator: exporter.id, status: "closed" },
    { key: "openQueueA", team: teamA, assignee: null, status: "open" },
    { key: "queueB", team: teamB, assignee: null, status: "closed" },
    { key: "teamAOthers", team: teamA, assignee: colleague.id, status: "closed" },
    { key: "teamBOthers", team: teamB, assignee: colleague.id, status: "closed" },
    { key: "openQueueB", team: teamB, assignee: null, status: "open" },
  ];
  for (const [i, c] of plan.entries()) {
    const ext = unique("ext");
    const first = unique(`first ${c.key}`);
    const r = await conn.post(
      inbound(ext, first, unique("m"), { contact: { id: ext, name: unique(c.key) } }),
    );
    expect(r.status).toBe(200);
    const id = r.body.results[0].conversationId as string;
    const closedAt = new Date(Date.parse("2026-04-01T10:00:00Z") + i * 60_000).toISOString();
    await t.db.query(
      `update conversations set team_id = $2, assignee_id = $3, status = $4, closed_at = $5 where id = $1`,
      [
        id,
        c.team,
        c.assignee,
        c.status === "closed" ? "closed" : "open",
        c.status === "closed" ? closedAt : null,
      ],
    );
    if (c.operator)
      await t.db.query(
        "insert into conversation_operators (conversation_id, user_id, workspace_id) values ($1, $2, $3)",
        [id, c.operator, workspaceId],
      );
    const note = unique(`note of ${c.key}`);
    await t.db.query(
      `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, text)
       values ($1, $2, $3, 'internal', 'note', 'user', $4, $5)`,
      [workspaceId, id, conn.id, owner.user!.id, note],
    );
    convs[c.key] = { key: c.key, id, status: c.status, texts: [first, note], note };
  }
});

async function download(client: Client, path: string) {
  const res = await fetch(t.url + path, { headers: { cookie: client.cookie! } });
  expect(res.status, path).toBe(200);
  return (await res.text()).split("\r\n").filter(Boolean).slice(1);
}
/** The conversations CSV's ids (second column), sorted. */
const conversationIds = async (client: Client, query: string) =>
  (await download(client, `/api/exports/conversations.csv?${query}`)).map((l) => l.split(",")[1]!).sort();
/** The messages CSV's conversation ids (second column), each once, sorted. */
const messageConversationIds = async (client: Client, query: string) => {
  const rows = await download(client, `/api/exports/messages.csv?${query}`);
  return [...new Set(rows.map((l) => l.split(",")[1]!))].sort();
};
const idsOf = (keys: readonly string[]) => keys.map((k) => convs[k]!.id).sort();

describe("exports hold what the caller may read", () => {
  it("an exporter without see-all gets their team's queue, their own and those they operate, in the inbox scope", async () => {
    expect(await conversationIds(exporter.client, "scope=inbox")).toEqual(idsOf(READABLE));
    const rows = await download(exporter.client, "/api/exports/messages.csv?scope=inbox&notes=true");
    const body = rows.join("\n");
    for (const k of READABLE) for (const text of convs[k]!.texts) expect(body).toContain(text);
    for (const k of HIDDEN) {
      expect(body).not.toContain(convs[k]!.id);
      for (const text of convs[k]!.texts) expect(body).not.toContain(text);
    }
    expect(rows).toHaveLength(2 * READABLE.length);
  });

  it("the log scope exports the conversations the log lists for the same caller", async () => {
    const listed = (await exporter.client.get("/api/log?limit=100")).body.entries.map((e: any) => e.id);
    expect([...listed].sort()).toEqual(idsOf(CLOSED_READABLE));
    expect(await conversationIds(exporter.client, "")).toEqual(idsOf(CLOSED_READABLE));
    expect(await messageConversationIds(exporter.client, "notes=true")).toEqual(idsOf(CLOSED_READABLE));
    // A filter naming other people's conversations narrows what the caller may read; it never widens it.
    expect(await conversationIds(exporter.client, `assignee=${colleague.id}`)).toEqual(idsOf(["operated"]));
    expect(
      await messageConversationIds(exporter.client, `scope=inbox&notes=true&assignee=${colleague.id}`),
    ).toEqual(idsOf(["operated"]));
  });

  it("the owner and a supervisor, who see all conversations, export every one", async () => {
    const all = idsOf([...READABLE, ...HIDDEN]);
    for (const client of [owner, supervisor.client]) {
      expect(await conversationIds(client, "scope=inbox")).toEqual(all);
      expect(await messageConversationIds(client, "scope=inbox&notes=true")).toEqual(all);
      const body = (await download(client, "/api/exports/messages.csv?scope=inbox&notes=true")).join("\n");
      for (const k of HIDDEN) expect(body).toContain(convs[k]!.note);
    }
  });

  it("the exporter's export is audited, with the rows it held", async () => {
    await download(exporter.client, "/api/exports/messages.csv?scope=inbox&notes=true");
    const [start] = await t.db.query<{ id: string; user_id: string; data: any }>(
      `select id, user_id, data from audit_log where workspace_id = $1 and action = 'export.messages'
       and user_id = $2 order by id desc limit 1`,
      [workspaceId, exporter.id],
    );
    expect(start!.data).toMatchObject({ scope: "inbox", notes: true });
    const finished = await eventually(
      async () => {
        const [row] = await t.db.query<{ data: any }>(
          "select data from audit_log where workspace_id = $1 and action = 'export.finished' and target_id = $2",
          [workspaceId, String(start!.id)],
        );
        return row ?? null;
      },
      { what: "the finished export's audit row" },
    );
    expect(finished!.data).toEqual({ export: "messages", rows: 2 * READABLE.length, completed: true });
  });
});
