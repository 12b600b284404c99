import { beforeAll, describe, expect, it } from "vitest";
import { apiConnection, type Client, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { EXPORT_PAGE } from "./export";

/**
 * Exports read their rows a page at a time by keyset: these workspaces hold more than two pages, with ties
 * in the conversations' sort key across the page boundaries, and every row must come out once, in order.
 */
const t = useTestServer();
const CONVERSATIONS = 2 * EXPORT_PAGE + 37;
const MESSAGES = 3 * EXPORT_PAGE + 113;
let owner: Client;
let workspaceId: string;

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  const conn = await apiConnection(t, owner);
  await t.db.query(
    `insert into contacts (workspace_id, name) select $1, 'Contact ' || g from generate_series(1, $2::int) g`,
    [workspaceId, CONVERSATIONS],
  );
  await t.db.query(
    `insert into contact_identities (workspace_id, contact_id, connection_id, external_id)
     select $1, id, $2, 'pages-' || id from contacts where workspace_id = $1`,
    [workspaceId, conn.id],
  );
  // Closed in groups of seven at the same instant: the sort key ties across every page boundary.
  await t.db.query(
    `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, status,
       created_at, closed_at, last_activity_at)
     select $1, n, $2, contact_id, id, 'closed', '2026-03-01T00:00:00Z',
       '2026-03-02T00:00:00Z'::timestamptz + (n / 7) * interval '1 minute',
       '2026-03-02T00:00:00Z'::timestamptz + (n / 7) * interval '1 minute'
     from (select i.*, row_number() over (order by i.id) as n from contact_identities i where i.workspace_id = $1) x`,
    [workspaceId, conn.id],
  );
  // Messages spread over the conversations in commit order, with a note and a system event every tenth.
  await t.db.query(
    `insert into messages (workspace_id, conversation_id, connection_id, direction, kind, author_type, text, created_at)
     select $1, c.id, $2, 'inbound', case when g % 10 = 3 then 'note' when g % 10 = 7 then 'event' else 'message' end,
       case when g % 10 = 3 then 'user' when g % 10 = 7 then 'system' else 'contact' end,
       'text ' || g, '2026-03-01T12:00:00Z'::timestamptz + g * interval '1 second'
     from generate_series(1, $3::int) g
     join (select id, row_number() over (order by id) as rn from conversations where workspace_id = $1) c
       on c.rn = 1 + (g * 7919) % $4::int`,
    [workspaceId, conn.id, MESSAGES, CONVERSATIONS],
  );
});

async function csvLines(path: string) {
  const res = await fetch(t.url + path, { headers: { cookie: owner.cookie! } });
  expect(res.status).toBe(200);
  const lines = (await res.text()).split("\r\n");
  expect(lines.pop()).toBe(""); // the last record ends with CRLF
  return lines.slice(1); // the header
}

describe("CSV exports across pages", () => {
  it("exports every message once, in commit order, notes only when asked", async () => {
    for (const notes of [false, true]) {
      const expected = await t.db.query<{ id: string }>(
        `select id from messages where workspace_id = $1 and kind = any($2::text[]) order by seq`,
        [workspaceId, notes ? ["message", "note"] : ["message"]],
      );
      expect(expected.length).toBeGreaterThan(2 * EXPORT_PAGE);
      const lines = await csvLines(`/api/exports/messages.csv?notes=${notes}`);
      expect(lines.map((l) => l.split(",")[2])).toEqual(expected.map((r) => r.id));
    }
  });

  it("exports every conversation once, in the log's order both ways, ties broken by id", async () => {
    for (const sort of ["desc", "asc"] as const) {
      const expected = await t.db.query<{ id: string }>(
        `select id from conversations where workspace_id = $1 order by closed_at ${sort}, id ${sort}`,
        [workspaceId],
      );
      expect(expected).toHaveLength(CONVERSATIONS);
      const lines = await csvLines(`/api/exports/conversations.csv?sort=${sort}`);
      expect(lines.map((l) => l.split(",")[1])).toEqual(expected.map((r) => r.id));
    }
  });
});
