/** Who manages endpoints (`api.manage`) and where their request came from, for the audit log. */
export interface WebhookActor {
  workspaceId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
}
