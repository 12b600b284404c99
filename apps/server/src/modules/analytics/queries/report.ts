import type { AppContext } from "../../../context";
import { loadReceiptSettings } from "../../receipts/policy";
import { agentPseudonym } from "../../receipts/report";
import { type Analytics, type AnalyticsQuery, teamAnalytics } from "../query";

/**
 * Team analytics over a period, with agent names replaced by pseudonyms when asked or when the workspace
 * always anonymises reports (R307).
 */
export async function analyticsReport(
  ctx: AppContext,
  workspaceId: string,
  query: AnalyticsQuery,
  anonymise: boolean,
): Promise<Analytics> {
  const a = await teamAnalytics(ctx.db, workspaceId, query, ctx.clock.now());
  if (!anonymise && !(await loadReceiptSettings(ctx.db, workspaceId)).anonymiseReports) return a;
  return { ...a, agents: a.agents.map((r) => ({ ...r, name: agentPseudonym(r.id) })) };
}
