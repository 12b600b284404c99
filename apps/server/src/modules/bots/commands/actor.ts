/** Who manages bots (`automation.manage`) and where their request came from, for the audit log. */
export interface BotManager {
  workspaceId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  tokenId: string | null;
}
