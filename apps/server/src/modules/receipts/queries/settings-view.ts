import type { AppContext } from "../../../context";
import { loadReceiptSettings } from "../policy";

/** The workspace's receipt settings with each connection's override and what its channel can report. */
export async function receiptSettingsView(ctx: AppContext, workspaceId: string) {
  const connections = await ctx.db.query<{
    id: string;
    name: string;
    type: string;
    read_receipts: boolean | null;
  }>(
    "select id, name, type, read_receipts from channel_connections where workspace_id = $1 order by name, id",
    [workspaceId],
  );
  return {
    settings: await loadReceiptSettings(ctx.db, workspaceId),
    connections: connections.map((c) => {
      const caps = ctx.channels.get(c.type).capabilities;
      return {
        id: c.id,
        name: c.name,
        type: c.type,
        readReceipts: c.read_receipts,
        reportsRead: caps.reportsRead,
        markSeen: caps.markSeen,
      };
    }),
  };
}
