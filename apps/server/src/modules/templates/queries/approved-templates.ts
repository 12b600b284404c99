import type { AppContext } from "../../../context";
import { presentTemplate, TEMPLATE_COLUMNS, type TemplateRow } from "../present";
import { templateConnection } from "./connection";

/** The connection's approved templates, by name and language. */
export async function approvedTemplates(ctx: AppContext, workspaceId: string, connectionId: string) {
  await templateConnection(ctx.db, workspaceId, connectionId);
  const rows = await ctx.db.query<TemplateRow>(
    `select ${TEMPLATE_COLUMNS} from message_templates
     where workspace_id = $1 and connection_id = $2 and status = 'APPROVED' order by name, language`,
    [workspaceId, connectionId],
  );
  return rows.map(presentTemplate);
}
