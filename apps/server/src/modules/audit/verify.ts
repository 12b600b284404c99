import type { Queryable } from "../../db/client";

/** What is wrong with one place of a workspace's chain. */
export interface ChainProblem {
  workspaceId: string;
  /** changed: the row's content no longer hashes to its stored hash; deleted: rows are missing;
   * inserted: a row that does not link to the one before it (or stands after the head). */
  kind: "changed" | "inserted" | "deleted";
  /** The row's position in the chain (for deleted: the first missing position). */
  seq: number;
  /** The row's id (null when the row is missing). */
  id: string | null;
  detail: string;
}

export interface VerifyReport {
  workspaces: number;
  rows: number;
  problems: ChainProblem[];
  /** Each workspace's head: keep it elsewhere to notice a chain rewritten from the start. */
  heads: { workspaceId: string; seq: number; hash: string }[];
}

interface Row {
  id: string;
  chain_seq: string;
  prev_hash: string;
  hash: string;
  recomputed: string;
}

const PAGE = 5000;
/** Problems reported per workspace: the first ones tell where to look. */
const MAX_PROBLEMS = 100;

/**
 * The canonical content and hash of a row, computed here from its columns (not by the database's own
 * functions, which whoever changed the rows could have changed too), in the row's chain format: 1 for rows
 * written before migration 0034 (keep in step with `audit_entry_content` in migration 0025), 2 since, which
 * also covers the API token the entry was made through (`audit_entry_content_v2` in migration 0034). Format 2's
 * content starts with its number, so a row turned back to format 1 no longer matches its hash.
 */
const RECOMPUTED = `encode(sha256(convert_to(a.prev_hash || (case a.chain_version
  when 1 then jsonb_build_array(a.chain_seq, a.id, a.workspace_id, a.user_id, a.action, a.target_type,
    a.target_id, a.data, a.ip, a.user_agent, (extract(epoch from a.created_at) * 1000000)::bigint)
  else jsonb_build_array(a.chain_version, a.chain_seq, a.id, a.workspace_id, a.user_id, a.action, a.target_type,
    a.target_id, a.data, a.ip, a.user_agent, a.api_token_id, (extract(epoch from a.created_at) * 1000000)::bigint)
  end)::text, 'UTF8')), 'hex')`;

/** Recomputes every workspace's chain (or one's), from its anchor to its head, a page of rows at a time. */
export async function verifyAuditLog(q: Queryable, workspaceId?: string): Promise<VerifyReport> {
  const chains = await q.query<{
    workspace_id: string;
    head_seq: string;
    head_hash: string;
    anchor_seq: string;
    anchor_hash: string;
  }>(
    `select w.id as workspace_id, coalesce(c.head_seq, 0) as head_seq, coalesce(c.head_hash, repeat('0', 64)) as head_hash,
       coalesce(c.anchor_seq, 0) as anchor_seq, coalesce(c.anchor_hash, repeat('0', 64)) as anchor_hash
     from workspaces w left join audit_chains c on c.workspace_id = w.id
     where ($1::uuid is null or w.id = $1) order by w.id`,
    [workspaceId ?? null],
  );
  const report: VerifyReport = { workspaces: chains.length, rows: 0, problems: [], heads: [] };
  for (const c of chains) {
    const found: ChainProblem[] = [];
    const problem = (p: Omit<ChainProblem, "workspaceId">) => {
      if (found.length < MAX_PROBLEMS) found.push({ workspaceId: c.workspace_id, ...p });
    };
    let prevSeq = Number(c.anchor_seq);
    let prevHash = c.anchor_hash;
    let after = -1;
    for (;;) {
      const rows = await q.query<Row>(
        `select a.id, a.chain_seq, a.prev_hash, a.hash, ${RECOMPUTED} as recomputed
         from audit_log a where a.workspace_id = $1 and a.chain_seq > $2 order by a.chain_seq limit ${PAGE}`,
        [c.workspace_id, after],
      );
      for (const r of rows) {
        const seq = Number(r.chain_seq);
        if (r.recomputed !== r.hash)
          problem({
            kind: "changed",
            seq,
            id: String(r.id),
            detail: `its content hashes to ${r.recomputed.slice(0, 16)}…, not to the stored ${r.hash.slice(0, 16)}…: a column was changed after it was written`,
          });
        if (seq > prevSeq + 1)
          problem({
            kind: "deleted",
            seq: prevSeq + 1,
            id: null,
            detail: `rows ${prevSeq + 1}–${seq - 1} are missing before row ${r.id}`,
          });
        else if (seq <= prevSeq || r.prev_hash !== prevHash)
          problem({
            kind: "inserted",
            seq,
            id: String(r.id),
            detail: `it does not link to the row before it (it names ${r.prev_hash.slice(0, 16)}…, the chain has ${prevHash.slice(0, 16)}…)`,
          });
        prevSeq = seq;
        prevHash = r.hash;
      }
      report.rows += rows.length;
      if (rows.length < PAGE) break;
      after = Number(rows.at(-1)!.chain_seq);
    }
    const headSeq = Number(c.head_seq);
    if (prevSeq < headSeq)
      problem({
        kind: "deleted",
        seq: prevSeq + 1,
        id: null,
        detail: `the newest rows ${prevSeq + 1}–${headSeq} are missing`,
      });
    else if (prevSeq > headSeq || prevHash !== c.head_hash)
      problem({
        kind: "inserted",
        seq: prevSeq,
        id: null,
        detail: `the last row (${prevSeq}) is not the chain's head (${headSeq})`,
      });
    report.problems.push(...found);
    report.heads.push({ workspaceId: c.workspace_id, seq: headSeq, hash: c.head_hash });
  }
  return report;
}
