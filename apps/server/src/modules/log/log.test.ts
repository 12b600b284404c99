import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../../testing/eventually";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

interface Conv {
  id: string;
  number: number;
  contactId: string;
  messages: {
    id: string;
    created: string;
    direction: string;
    kind: string;
    authorType: string;
    text: string;
  }[];
}

let owner: Client;
let workspaceId: string;
let agentA: { client: Client; id: string };
let agentB: { client: Client; id: string };
let supervisor: { client: Client; id: string };
let nameA: string;
let nameB: string;
let conn1: { id: string };
let conn2: { id: string };
let conn1Name: string;
let conn2Name: string;
let tagId: string;
const convs: Conv[] = [];

// Tricky contents: quotes, commas, line breaks (LF and CRLF), Cyrillic.
const NAME1 = 'Иван "Ваня", Петров';
const TEXTS1 = [
  'Здравствуйте, где мой заказ?\nНомер "123"',
  "Добрый день! Уже в пути",
  "note, internal\r\nline 2",
];
const TEXTS2 = ["Когда будет ДОСТАВКА?", 'He said: "hi"'];
const TEXTS3 = ["plain", "ответ"];

const t = useTestServer();

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  agentA = await addUser(t, owner, "agent");
  agentB = await addUser(t, owner, "agent");
  nameA = `Агент "A", ${unique("старший")}`;
  nameB = unique("agent-b");
  await t.db.query("update users set name = $2 where id = $1", [agentA.id, nameA]);
  await t.db.query("update users set name = $2 where id = $1", [agentB.id, nameB]);
  supervisor = await addUser(t, owner, "supervisor");
  const c1 = await apiConnection(t, owner);
  const c2 = await apiConnection(t, owner);
  conn1 = c1;
  conn2 = c2;
  const names = await t.db.query<{ id: string; name: string }>(
    "select id, name from channel_connections where id = any($1::uuid[])",
    [[c1.id, c2.id]],
  );
  conn1Name = names.find((n) => n.id === c1.id)!.name;
  conn2Name = names.find((n) => n.id === c2.id)!.name;
  const tag = await owner.post("/api/tags", { name: unique("vip"), color: "#123456" });
  tagId = tag.body.tag.id;

  // conv1: agent A, conn1, closed 10 Jan; conv2: agent B, conn1, closed 11 Jan; conv3: agent A, conn2,
  // closed 12 Jan; conv4: agent A, still open (never in the log).
  const plan = [
    {
      conn: c1,
      name: NAME1,
      assignee: agentA.id,
      created: "2026-01-10T09:00:00.000Z",
      closed: "2026-01-10T10:00:00.000Z",
      texts: TEXTS1,
    },
    {
      conn: c1,
      name: "Bob",
      assignee: agentB.id,
      created: "2026-01-11T09:00:00.000Z",
      closed: "2026-01-11T10:00:00.000Z",
      texts: TEXTS2,
    },
    {
      conn: c2,
      name: "Carol",
      assignee: agentA.id,
      created: "2026-01-12T09:00:00.000Z",
      closed: "2026-01-12T10:00:00.000Z",
      texts: TEXTS3,
    },
    {
      conn: c1,
      name: "Dave",
      assignee: agentA.id,
      created: "2026-01-13T09:00:00.000Z",
      closed: null,
      texts: ["open one"],
    },
  ];
  for (const [i, c] of plan.entries()) {
    const ext = unique("ext");
    const r = await c.conn.post(inbound(ext, "first", unique("m"), { contact: { id: ext, name: c.name } }));
    expect(r.status).toBe(200);
    const id = r.body.results[0].conversationId as string;
    const [row] = await t.db.query<{ number: number; contact_id: string }>(
      "select number, contact_id from conversations where id = $1",
      [id],
    );
    await t.db.query("delete from messages where conversation_id = $1", [id]);
    await t.db.query(
      `update conversations set assignee_id = $2, created_at = $3, closed_at = $4,
         status = case when $4::timestamptz is null then 'in_progress' else 'closed' end, source = $5 where id = $1`,
      [
        id,
        c.assignee,
        c.created,
        c.closed,
        JSON.stringify(i === 0 ? { utm_source: "google", referrer: "https://ex.com/?a=1,b=2" } : {}),
      ],
    );
    await t.db.query("update contacts set email = $2, phone = $3 where id = $1", [
      row!.contact_id,
      `person${i}@example.com`,
      `+7900000000${i}`,
    ]);
    const conv: Conv = { id, number: row!.number, contactId: row!.contact_id, messages: [] };
    for (const [j, text] of c.texts.entries()) {
      const note = i === 0 && j === 2;
      const inboundMsg = j % 2 === 0 && !note;
      const created = new Date(Date.parse(c.created) + (j + 1) * 60_000).toISOString();
      const [m] = await t.db.query<{ id: string }>(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, author_id, text, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
        [
          workspaceId,
          id,
          c.conn.id,
          note ? "internal" : inboundMsg ? "inbound" : "outbound",
          note ? "note" : "message",
          inboundMsg ? "contact" : "user",
          inboundMsg ? null : c.assignee,
          text,
          created,
        ],
      );
      conv.messages.push({
        id: m!.id,
        created,
        direction: note ? "internal" : inboundMsg ? "inbound" : "outbound",
        kind: note ? "note" : "message",
        authorType: inboundMsg ? "contact" : "user",
        text,
      });
    }
    convs.push(conv);
  }
  const tagged = await owner.put(`/api/contacts/${convs[0]!.contactId}/tags/${tagId}`, { pinned: false });
  expect(tagged.status).toBe(200);
});

async function log(client: Client, query = "") {
  const r = await client.get(`/api/log${query ? `?${query}` : ""}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { entries: any[]; nextCursor: string | null };
}
const idsOf = async (client: Client, query = "") => (await log(client, query)).entries.map((e) => e.id);

/**
 * An independent CSV encoder for the expectations (RFC 4180, CRLF), with text that a spreadsheet would run
 * as a formula (starting with = + - @, a tab or CR) prefixed with a single quote.
 */
const q = (v: unknown) => {
  let s = v === null || v === undefined ? "" : String(v);
  if (typeof v === "string" && ["=", "+", "-", "@", "\t", "\r"].includes(s.charAt(0))) s = `'${s}`;
  return s.includes('"') || s.includes(",") || s.includes("\n") || s.includes("\r")
    ? `"${s.split('"').join('""')}"`
    : s;
};
const line = (xs: unknown[]) => `${xs.map(q).join(",")}\r\n`;

async function download(client: Client, path: string) {
  const res = await fetch(t.url + path, { headers: { cookie: client.cookie! } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe("GET /api/log", () => {
  it("lists closed conversations newest closed first, with the log's fields", async () => {
    const { entries } = await log(owner);
    expect(entries.map((e) => e.id)).toEqual([convs[2]!.id, convs[1]!.id, convs[0]!.id]);
    const first = entries[2];
    expect(first).toMatchObject({
      number: convs[0]!.number,
      contact: { id: convs[0]!.contactId, name: NAME1 },
      connection: { id: conn1.id, type: "api", name: conn1Name },
      assignee: { id: agentA.id, name: nameA },
      lastReply: { authorType: "user", authorId: agentA.id, authorName: nameA },
      source: { utm_source: "google", referrer: "https://ex.com/?a=1,b=2" },
      createdAt: "2026-01-10T09:00:00.000Z",
      closedAt: "2026-01-10T10:00:00.000Z",
    });
  });

  it("sorts ascending and pages with a cursor", async () => {
    expect(await idsOf(owner, "sort=asc")).toEqual(convs.slice(0, 3).map((c) => c.id));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await log(owner, `sort=asc&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(convs.slice(0, 3).map((c) => c.id));
    const p1 = await log(owner, "limit=2");
    expect(p1.entries.map((e) => e.id)).toEqual([convs[2]!.id, convs[1]!.id]);
    expect(await idsOf(owner, `limit=2&cursor=${p1.nextCursor}`)).toEqual([convs[0]!.id]);
    expect((await owner.get("/api/log?cursor=nonsense")).status).toBe(400);
  });

  it("filters by agent, connection, channel, date range, tag and text", async () => {
    expect(await idsOf(owner, `assignee=${agentA.id}`)).toEqual([convs[2]!.id, convs[0]!.id]);
    expect(await idsOf(owner, `connection=${conn2.id}`)).toEqual([convs[2]!.id]);
    expect(await idsOf(owner, "channel=api")).toHaveLength(3);
    expect(await idsOf(owner, "channel=telegram")).toEqual([]);
    expect(
      await idsOf(owner, "from=2026-01-11T00:00:00Z&to=2026-01-12T10:00:00Z"), // to is exclusive
    ).toEqual([convs[1]!.id]);
    expect(await idsOf(owner, `tag=${tagId}`)).toEqual([convs[0]!.id]);
    expect(await idsOf(owner, `q=${encodeURIComponent("ВАНЯ")}`)).toEqual([convs[0]!.id]); // contact name
    expect(await idsOf(owner, `q=${encodeURIComponent("доставка")}`)).toEqual([convs[1]!.id]); // message text
    expect(await idsOf(owner, "q=person2%40example")).toEqual([convs[2]!.id]); // email
    expect(await idsOf(owner, "q=100%25")).toEqual([]); // a literal %, not a wildcard
  });

  it("shows an agent only the closed conversations they may read", async () => {
    expect(await idsOf(agentA.client)).toEqual([convs[2]!.id, convs[0]!.id]);
    expect(await idsOf(agentB.client)).toEqual([convs[1]!.id]);
    expect(await idsOf(supervisor.client)).toHaveLength(3);
  });

  it("never shows another workspace's conversations", async () => {
    const other = await newWorkspace(t);
    expect(await idsOf(other.owner)).toEqual([]);
  });
});

describe("CSV exports", () => {
  it("streams the messages of the filtered log byte for byte, with notes", async () => {
    const r = await download(owner, `/api/exports/messages.csv?assignee=${agentA.id}&notes=true`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(r.headers.get("content-disposition")).toMatch(
      /^attachment; filename="parley-messages-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    let expected =
      "\uFEFFconversation_number,conversation_id,message_id,created_at,direction,kind,author_type,author,contact_name,channel,connection,text,attachments\r\n";
    for (const [i, name, connName] of [
      [0, NAME1, conn1Name],
      [2, "Carol", conn2Name],
    ] as const) {
      const c = convs[i]!;
      for (const m of c.messages) {
        expected += line([
          c.number,
          c.id,
          m.id,
          m.created,
          m.direction,
          m.kind,
          m.authorType,
          m.authorType === "contact" ? name : nameA,
          name,
          "api",
          connName,
          m.text,
          0,
        ]);
      }
    }
    expect(r.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(r.bytes.toString("utf8")).toBe(expected);
    expect(r.bytes.equals(Buffer.from(expected, "utf8"))).toBe(true);
  });

  it("leaves internal notes out unless asked", async () => {
    const r = await download(owner, `/api/exports/messages.csv?assignee=${agentA.id}`);
    const text = r.bytes.toString("utf8");
    expect(text).not.toContain("note, internal");
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(1 + TEXTS1.length - 1 + TEXTS3.length);
  });

  it("exports one row per conversation byte for byte", async () => {
    const r = await download(owner, `/api/exports/conversations.csv?tag=${tagId}`);
    expect(r.status).toBe(200);
    const c = convs[0]!;
    const expected =
      "\uFEFFnumber,id,status,contact_id,contact_name,contact_nickname,contact_email,contact_phone,channel,connection,assignee,last_reply_by,last_reply_at,created_at,closed_at,utm_source,utm_medium,utm_campaign,utm_term,utm_content,referrer,source\r\n" +
      line([
        c.number,
        c.id,
        "closed",
        c.contactId,
        NAME1,
        "",
        "person0@example.com",
        "+79000000000",
        "api",
        conn1Name,
        nameA,
        nameA,
        c.messages[1]!.created,
        "2026-01-10T09:00:00.000Z",
        "2026-01-10T10:00:00.000Z",
        "google",
        "",
        "",
        "",
        "",
        "https://ex.com/?a=1,b=2",
        JSON.stringify({ referrer: "https://ex.com/?a=1,b=2", utm_source: "google" }),
      ]);
    expect(r.bytes.toString("utf8")).toBe(expected);
  });

  it("exports the inbox scope with the inbox filters", async () => {
    const r = await download(
      owner,
      `/api/exports/conversations.csv?scope=inbox&status=in_progress&mine=false`,
    );
    const rows = r.bytes.toString("utf8").split("\r\n").filter(Boolean);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(convs[3]!.id);
    // The inbox's tag and assignee filters narrow the inbox scope too.
    const tagged = await download(owner, `/api/exports/conversations.csv?scope=inbox&tag=${tagId}`);
    expect(
      tagged.bytes
        .toString("utf8")
        .split("\r\n")
        .filter(Boolean)
        .slice(1)
        .map((l) => l.split(",")[1]),
    ).toEqual([convs[0]!.id]);
    const mineB = await download(agentB.client, "/api/exports/conversations.csv?scope=inbox&mine=true");
    expect(mineB.status).toBe(403);
  });

  it("refuses a filter the scope does not apply instead of exporting more than asked", async () => {
    for (const path of [
      "/api/exports/conversations.csv?scope=inbox&q=bob",
      "/api/exports/messages.csv?scope=inbox&from=2026-01-01T00:00:00Z",
      "/api/exports/conversations.csv?status=open",
      "/api/exports/messages.csv?scope=log&unanswered=true",
    ]) {
      const r = await owner.get(path);
      expect(r.status, path).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
    }
    // Filters both scopes share are accepted by either.
    const byChannel = await download(
      owner,
      "/api/exports/conversations.csv?scope=inbox&channel=api&status=closed",
    );
    expect(byChannel.status).toBe(200);
    expect(byChannel.bytes.toString("utf8").split("\r\n").filter(Boolean)).toHaveLength(1 + 3);
    // Every filter of the inbox list applies, e.g. the activity period.
    const active = await download(
      owner,
      "/api/exports/conversations.csv?scope=inbox&status=closed&activeFrom=2026-01-11T00:00:00Z&activeTo=2026-01-12T00:00:00Z",
    );
    expect(active.status).toBe(200);
    expect(
      active.bytes
        .toString("utf8")
        .split("\r\n")
        .filter(Boolean)
        .slice(1)
        .map((l) => l.split(",")[1]),
    ).toEqual([convs[1]!.id]);
    const none = await download(owner, "/api/exports/conversations.csv?scope=inbox&channel=telegram");
    expect(none.bytes.toString("utf8").split("\r\n").filter(Boolean)).toHaveLength(1);
  });

  it("redacts personal fields with stable pseudonyms and keeps message text", async () => {
    const conv = await download(owner, `/api/exports/conversations.csv?redact=true&tag=${tagId}`);
    const msgs = await download(owner, `/api/exports/messages.csv?redact=true&assignee=${agentA.id}`);
    const pseudo = `Contact ${crypto.createHash("sha256").update(convs[0]!.contactId).digest("hex").slice(0, 8)}`;
    for (const body of [conv.bytes.toString("utf8"), msgs.bytes.toString("utf8")]) {
      expect(body).not.toContain("Петров");
      expect(body).not.toContain("Carol");
      expect(body).not.toContain("person0@example.com");
      expect(body).not.toContain("+79000000000");
      expect(body).toContain(pseudo);
    }
    expect(msgs.bytes.toString("utf8")).toContain("Добрый день! Уже в пути");
    expect(conv.bytes.toString("utf8").split("\r\n")[1]!.split(",").slice(4, 8)).toEqual([
      pseudo,
      "",
      "",
      "",
    ]);
  });

  it("needs the data.export permission", async () => {
    for (const what of ["conversations", "messages"]) {
      expect((await download(agentA.client, `/api/exports/${what}.csv`)).status).toBe(403);
      expect((await download(supervisor.client, `/api/exports/${what}.csv`)).status).toBe(200);
    }
    expect((await fetch(`${t.url}/api/exports/messages.csv`)).status).toBe(401);
  });

  it("writes an audit row with the filters, then one with the row count", async () => {
    const r = await download(owner, `/api/exports/messages.csv?connection=${conn2.id}&redact=true`);
    expect(r.status).toBe(200);
    const [start] = await t.db.query<{ id: string; user_id: string; data: any }>(
      "select id, user_id, data from audit_log where workspace_id = $1 and action = 'export.messages' order by id desc limit 1",
      [workspaceId],
    );
    expect(start!.user_id).toBe(owner.user!.id);
    expect(start!.data).toMatchObject({
      scope: "log",
      redact: true,
      notes: false,
      filters: { connection: [conn2.id] },
    });
    const finished = await eventually(
      async () => {
        const [row] = await t.db.query<{ user_id: string; data: any }>(
          "select user_id, data from audit_log where workspace_id = $1 and action = 'export.finished' and target_id = $2",
          [workspaceId, String(start!.id)],
        );
        return row ?? null;
      },
      { what: "the finished export's audit row" },
    );
    expect(finished!.user_id).toBe(owner.user!.id);
    expect(finished!.data).toEqual({ export: "messages", rows: TEXTS3.length, completed: true });
  });
});

describe("CSV formula injection", () => {
  it("neutralises text a spreadsheet would run as a formula, and only text", async () => {
    const ws = await newWorkspace(t);
    const conn = await apiConnection(t, ws.owner);
    const ext = unique("ext");
    const name = '=HYPERLINK("http://evil.example","click")';
    const r = await conn.post(inbound(ext, "first", unique("m"), { contact: { id: ext, name } }));
    expect(r.status).toBe(200);
    const id = r.body.results[0].conversationId as string;
    await t.db.query("delete from messages where conversation_id = $1", [id]);
    await t.db.query(
      "update conversations set status = 'closed', closed_at = '2026-02-01T10:00:00Z', created_at = '2026-02-01T09:00:00Z' where id = $1",
      [id],
    );
    const texts = ["@SUM(A1:A9)", "-2+3", "+1 555 0100", "\tcmd", "\r=1+1", "plain = text", "'quoted", "1-2"];
    const ids: string[] = [];
    for (const [j, text] of texts.entries()) {
      const [m] = await t.db.query<{ id: string }>(
        `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, text, created_at)
         values ($1, $2, $3, 'inbound', 'message', 'contact', $4, $5) returning id`,
        [ws.workspaceId, id, conn.id, text, new Date(Date.parse("2026-02-01T09:00:00Z") + j * 1000)],
      );
      ids.push(m!.id);
    }
    const res = await fetch(`${t.url}/api/exports/messages.csv`, { headers: { cookie: ws.owner.cookie! } });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer()).toString("utf8");
    const [{ number }] = (await t.db.query<{ number: number }>(
      "select number from conversations where id = $1",
      [id],
    )) as [{ number: number }];
    const names = await t.db.query<{ name: string }>("select name from channel_connections where id = $1", [
      conn.id,
    ]);
    const quotedName = `"'=HYPERLINK(""http://evil.example"",""click"")"`;
    // Written out literally (not through the test's encoder): the leading quote, then RFC 4180 quoting.
    const cells = [
      "'@SUM(A1:A9)",
      "'-2+3",
      "'+1 555 0100",
      "'\tcmd",
      `"'\r=1+1"`,
      "plain = text",
      "'quoted",
      "1-2",
    ];
    let expected =
      "\uFEFFconversation_number,conversation_id,message_id,created_at,direction,kind,author_type,author,contact_name,channel,connection,text,attachments\r\n";
    for (const [j, cell] of cells.entries()) {
      const at = new Date(Date.parse("2026-02-01T09:00:00Z") + j * 1000).toISOString();
      expected += `${number},${id},${ids[j]},${at},inbound,message,contact,${quotedName},${quotedName},api,${names[0]!.name},${cell},0\r\n`;
    }
    expect(body).toBe(expected);
    // The conversations CSV: the contact name is neutralised, numbers and times are not.
    const conv = await fetch(`${t.url}/api/exports/conversations.csv`, {
      headers: { cookie: ws.owner.cookie! },
    });
    const row = (await conv.text()).split("\r\n")[1]!;
    expect(row.startsWith(`${number},${id},closed,`)).toBe(true);
    expect(row).toContain(`,${quotedName},`);
    expect(row).toContain(",2026-02-01T09:00:00.000Z,2026-02-01T10:00:00.000Z,");
  });
});
