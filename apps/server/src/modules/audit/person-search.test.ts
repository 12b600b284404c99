import { beforeAll, describe, expect, it } from "vitest";
import { addUser, type Client, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { verifyAuditLog } from "./verify";

/**
 * Search with a person who has the word only in old entries: past the newest rows that a search reads
 * first, the answer comes from the person-and-trigram index (migration 0033), and it is exactly that
 * person's matches, newest first, page after page.
 */
const t = useTestServer();
const BASE = Date.parse("2026-03-01T00:00:00Z");
let owner: Client;
let workspaceId: string;
let person: string;
let other: string;

/** `count` entries of `userId`, one a minute from `start`; `agent(i)` is each one's user agent. */
async function entries(userId: string, start: number, count: number, agent: (i: number) => string) {
  await t.db.query(
    `insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, ip, user_agent, created_at)
     select $1, $2, 'conversation.deleted', 'conversation', 'c' || g, jsonb_build_object('i', g), '10.0.0.1',
       ($5::text[])[g + 1], to_timestamp($3::float8 / 1000 + g * 60)
     from generate_series(0, $4::int - 1) g`,
    [workspaceId, userId, start, count, Array.from({ length: count }, (_, i) => agent(i))],
  );
}

beforeAll(async () => {
  ({ owner, workspaceId } = await newWorkspace(t));
  person = (await addUser(t, owner, "agent")).id;
  other = (await addUser(t, owner, "agent")).id;
  // The person: 2,500 entries, the oldest five from Firefox, the rest from Chrome.
  await entries(person, BASE, 2500, (i) => (i < 5 ? "Mozilla/5.0 Firefox/140.0" : "Chrome/141.0"));
  // Someone else uses Firefox all along, newer than all of them.
  await entries(other, BASE + 3000 * 60_000, 100, () => "Mozilla/5.0 Firefox/140.0");
}, 180_000);

const search = (more: string) => owner.get(`/api/audit?q=firefox&user=${person}${more}`);

describe("audit search with a person", () => {
  it("finds the person's old matches past the newest rows, newest first, and pages them", async () => {
    const first = await search("&limit=3");
    expect(first.status).toBe(200);
    expect(first.body.entries.map((e: any) => [e.data.i, e.user.id])).toEqual([
      [4, person],
      [3, person],
      [2, person],
    ]);
    const second = await search(`&limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.entries.map((e: any) => e.data.i)).toEqual([1, 0]);
    expect(second.body.nextCursor).toBeNull();
    // The same word by another person, and a word the person never has.
    const theirs = await owner.get(`/api/audit?q=firefox&user=${other}&limit=200`);
    expect(theirs.body.entries).toHaveLength(100);
    const none = await owner.get(`/api/audit?q=safari&user=${person}`);
    expect(none.status).toBe(200);
    expect(none.body.entries).toEqual([]);
    expect((await verifyAuditLog(t.db, workspaceId)).problems).toEqual([]);
  });
});
