import type { VerifyReport } from "./verify";

/** Prints what `audit verify` found; answers the exit code (1: a chain is broken). */
export function printVerifyReport(r: VerifyReport, out: (line: string) => void = console.log): number {
  if (!r.problems.length) {
    out(`Audit log sound: ${r.rows} entries in ${r.workspaces} workspace chains verified.`);
    for (const h of r.heads) out(`  ${h.workspaceId}  head ${h.seq}  ${h.hash}`);
    return 0;
  }
  const broken = new Set(r.problems.map((p) => p.workspaceId));
  out(`Audit log BROKEN in ${broken.size} of ${r.workspaces} workspaces (${r.rows} entries read):`);
  for (const p of r.problems)
    out(`  ${p.workspaceId}  #${p.seq}${p.id ? ` (id ${p.id})` : ""}  ${p.kind}: ${p.detail}`);
  return 1;
}
