import { describe, expect, it } from "vitest";
import { newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { createTokenAs, withToken } from "../api-tokens/test-helpers";
import { verifyAuditLog } from "./verify";
import { printVerifyReport } from "./verify-report";

const t = useTestServer();

/** What someone with the database's password could do: switch the trigger off and change a row. */
async function tamper(sql: string, params: unknown[]) {
  await t.db.tx(async (q) => {
    await q.query("alter table audit_log disable trigger audit_log_append_only");
    await q.query(sql, params);
    await q.query("alter table audit_log enable trigger audit_log_append_only");
  });
}

/** A workspace with one entry made through an API token (revoking another token through it). */
async function entryViaToken() {
  const { owner, workspaceId } = await newWorkspace(t);
  const admin = await createTokenAs(owner, ["api.manage"], { name: "Admin script" });
  const other = await createTokenAs(owner, ["reports.view"], { name: "Other" });
  const revoked = await withToken(t.url, admin.secret, "POST", `/api/api-tokens/${other.id}/revoke`, {});
  expect(revoked.status).toBe(200);
  const [row] = await t.db.query<{
    id: string;
    chain_seq: string;
    chain_version: number;
    api_token_id: string;
  }>(
    `select id, chain_seq, chain_version, api_token_id from audit_log
     where workspace_id = $1 and action = 'api_token.revoked' and target_id = $2`,
    [workspaceId, other.id],
  );
  expect(row).toMatchObject({ api_token_id: admin.id, chain_version: 2 });
  expect((await verifyAuditLog(t.db, workspaceId)).problems).toEqual([]);
  return { workspaceId, row: row!, admin, other };
}

describe("the audit chain covers the API token", () => {
  it("detects an entry whose token was removed or swapped", async () => {
    const removed = await entryViaToken();
    await tamper("update audit_log set api_token_id = null where id = $1", [removed.row.id]);
    const report = await verifyAuditLog(t.db, removed.workspaceId);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: "changed",
        seq: Number(removed.row.chain_seq),
        id: String(removed.row.id),
      }),
    ]);
    const lines: string[] = [];
    expect(printVerifyReport(report, (l) => lines.push(l))).toBe(1);
    expect(lines.join("\n")).toMatch(/BROKEN[\s\S]*changed/);

    const swapped = await entryViaToken();
    await tamper("update audit_log set api_token_id = $2 where id = $1", [swapped.row.id, swapped.other.id]);
    expect((await verifyAuditLog(t.db, swapped.workspaceId)).problems.map((p) => p.kind)).toEqual([
      "changed",
    ]);
  });

  it("detects a new entry turned back to the first format, which did not cover the token", async () => {
    const { workspaceId, row } = await entryViaToken();
    await tamper("update audit_log set chain_version = 1 where id = $1", [row.id]);
    expect((await verifyAuditLog(t.db, workspaceId)).problems).toEqual([
      expect.objectContaining({ kind: "changed", id: String(row.id) }),
    ]);
  });

  it("still verifies entries written in the first format, before the token was covered", async () => {
    const { workspaceId } = await newWorkspace(t);
    // An entry as the trigger of migration 0025 wrote it: format 1, linked to the head, the head moved on.
    await t.db.tx(async (q) => {
      await q.query("alter table audit_log disable trigger audit_log_append");
      await q.query("alter table audit_log disable trigger audit_log_append_only");
      const [head] = await q.query<{ seq: string; hash: string }>(
        "update audit_chains set head_seq = head_seq + 1 where workspace_id = $1 returning head_seq as seq, head_hash as hash",
        [workspaceId],
      );
      const [{ id }] = (await q.query<{ id: string }>(
        `insert into audit_log (workspace_id, action, target_type, target_id, data, ip, user_agent, created_at,
           chain_seq, prev_hash, hash, chain_version)
         values ($1, 'legacy.entry', 'test', 't-1', '{"a":1}', '10.0.0.1', 'Firefox/140', now(), $2, $3, '', 1)
         returning id`,
        [workspaceId, head!.seq, head!.hash],
      )) as [{ id: string }];
      const [row] = await q.query<{ hash: string }>(
        `update audit_log set hash = encode(sha256(convert_to(prev_hash || audit_entry_content(chain_seq, id,
           workspace_id, user_id, action, target_type, target_id, data, ip, user_agent, created_at), 'UTF8')), 'hex')
         where id = $1 returning hash`,
        [id],
      );
      await q.query("update audit_chains set head_hash = $2 where workspace_id = $1", [
        workspaceId,
        row!.hash,
      ]);
      await q.query("alter table audit_log enable trigger audit_log_append_only");
      await q.query("alter table audit_log enable trigger audit_log_append");
    });
    const report = await verifyAuditLog(t.db, workspaceId);
    expect(report.problems).toEqual([]);
    const [legacy] = await t.db.query<{ chain_version: number }>(
      "select chain_version from audit_log where workspace_id = $1 and action = 'legacy.entry'",
      [workspaceId],
    );
    expect(legacy!.chain_version).toBe(1);
    // Changing a format-1 entry is still detected.
    await tamper("update audit_log set ip = '10.9.9.9' where workspace_id = $1 and action = 'legacy.entry'", [
      workspaceId,
    ]);
    expect((await verifyAuditLog(t.db, workspaceId)).problems.map((p) => p.kind)).toEqual(["changed"]);
  });
});
