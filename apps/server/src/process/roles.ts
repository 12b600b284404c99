import type { Config } from "../config";
import type { AppContext } from "../context";
import type { App } from "../http/types";
import { webAppRoutes } from "../http/web-app";
import { accountSecurityRoutes } from "../modules/account-security/routes";
import { alertRoutes } from "../modules/alerts/routes";
import { analyticsRoutes } from "../modules/analytics/routes";
import { apiTokenRoutes } from "../modules/api-tokens/routes";
import { auditRoutes } from "../modules/audit/routes";
import { authRoutes } from "../modules/auth/routes";
import { botRoutes } from "../modules/bots/routes";
import { bulkRoutes } from "../modules/bulk/routes";
import { cannedRoutes } from "../modules/canned/routes";
import { commentRoutes } from "../modules/comments/routes";
import { connectionRoutes } from "../modules/connections/routes";
import { contactRoutes } from "../modules/contacts/routes";
import { conversationRoutes } from "../modules/conversations/routes";
import { distributionRoutes } from "../modules/distribution/routes";
import { hoursRoutes } from "../modules/hours/routes";
import { widgetHoursRoutes } from "../modules/hours/widget-routes";
import { inboxViewRoutes } from "../modules/inbox-views/routes";
import { linkedRecordRoutes } from "../modules/linked-records/routes";
import { logRoutes } from "../modules/log/routes";
import { notificationRoutes } from "../modules/notifications/routes";
import { realtimeRoutes } from "../modules/realtime/routes";
import { receiptRoutes } from "../modules/receipts/routes";
import { roleRoutes } from "../modules/roles/routes";
import { ruleRoutes } from "../modules/rules/routes";
import { searchRoutes } from "../modules/search/routes";
import { tagRoutes } from "../modules/tags/routes";
import { taskRoutes } from "../modules/tasks/routes";
import { telegramUserRoutes } from "../modules/telegram-user/routes";
import { templateRoutes } from "../modules/templates/routes";
import { accountRoutes } from "../modules/users/account";
import { teamRoutes } from "../modules/users/teams";
import { webhookRoutes } from "../modules/webhooks/routes";
import type { WidgetHub } from "../modules/widget/hub";
import { widgetRoutes } from "../modules/widget/routes";
import { visitorSocketRoute } from "../modules/widget/socket";
import { workspaceRoutes } from "../modules/workspace/routes";
import type { RealtimeHub } from "../realtime/hub";
import { fileRoutes } from "../storage/routes";

/** A process's roles (`ROLES`): any combination of the three. */
export type Role = Config["ROLES"][number];
export type Roles = ReadonlySet<Role>;

/**
 * The HTTP side of the roles. `api`: the REST API, providers' webhooks (under connections), the widget's
 * HTTP endpoints and files, and the agent web app. `realtime`: the agents' socket and the visitors' socket.
 * Every process answers `/api/health` (registered by the caller), whatever its roles. The worker role has
 * no routes: its loops are started by the composition root.
 */
export async function registerRoleRoutes(
  app: App,
  ctx: AppContext,
  roles: Roles,
  hubs: { agents: RealtimeHub; visitors: WidgetHub },
) {
  if (roles.has("api")) await apiRoutes(app, ctx, hubs.visitors);
  if (roles.has("realtime")) {
    await realtimeRoutes(app, ctx, hubs.agents);
    await visitorSocketRoute(app, ctx, hubs.visitors);
  }
}

async function apiRoutes(app: App, ctx: AppContext, visitors: WidgetHub) {
  await authRoutes(app, ctx);
  await teamRoutes(app, ctx);
  await roleRoutes(app, ctx);
  await accountRoutes(app, ctx);
  await accountSecurityRoutes(app, ctx);
  await workspaceRoutes(app, ctx);
  await conversationRoutes(app, ctx);
  await bulkRoutes(app, ctx);
  await botRoutes(app, ctx);
  await linkedRecordRoutes(app, ctx);
  await searchRoutes(app, ctx);
  await contactRoutes(app, ctx);
  await tagRoutes(app, ctx);
  await cannedRoutes(app, ctx);
  await connectionRoutes(app, ctx);
  await telegramUserRoutes(app, ctx);
  await templateRoutes(app, ctx);
  await logRoutes(app, ctx);
  await auditRoutes(app, ctx);
  await analyticsRoutes(app, ctx);
  await notificationRoutes(app, ctx);
  await receiptRoutes(app, ctx);
  await fileRoutes(app, ctx);
  await widgetRoutes(app, ctx, visitors);
  await taskRoutes(app, ctx);
  await alertRoutes(app, ctx);
  await apiTokenRoutes(app, ctx);
  await webhookRoutes(app, ctx);
  await inboxViewRoutes(app, ctx);
  await hoursRoutes(app, ctx);
  await widgetHoursRoutes(app, ctx, visitors);
  await distributionRoutes(app, ctx);
  await ruleRoutes(app, ctx);
  await commentRoutes(app, ctx);
  // The agent web app at `/` once built into apps/web/dist (`npm start` builds it); else the API docs.
  if (!(await webAppRoutes(app)))
    ctx.log.warn("apps/web/dist is missing: `/` leads to the API documentation");
}
