import { z } from "zod";
import type { AppContext } from "../../context";
import { can } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { acknowledgeAlert } from "./commands/acknowledge";
import { updateRule } from "./commands/update-rule";
import { alertPage, listRules } from "./queries/alerts";
import { AlertRuleId } from "./rules";
import { Alert, AlertRule, AlertsPage, AlertsQuery, RulePatch } from "./schema";

const tags = ["alerts"];
const SEE = "Seeing security alerts needs the audit.view permission.";

/** Security alerts (R804): the rules and their thresholds, the raised alerts, acknowledging them. */
export async function alertRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/alerts/rules",
    {
      schema: {
        tags,
        summary: "The workspace's alert rules with their switches, thresholds and defaults (audit.view)",
        response: { 200: z.object({ rules: z.array(AlertRule) }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!can(actor, "audit.view") && !can(actor, "workspace.manage")) throw forbidden(SEE);
      return { rules: await listRules(ctx.db, actor.workspaceId) };
    },
  );

  app.patch(
    "/api/alerts/rules/:rule",
    {
      schema: {
        tags,
        summary: "Switch a rule on or off or change its threshold and window (workspace.manage)",
        params: z.object({ rule: AlertRuleId }),
        body: RulePatch,
        response: { 200: z.object({ rule: AlertRule }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!can(actor, "workspace.manage"))
        throw forbidden("Changing alert rules needs the workspace.manage permission.");
      return { rule: await updateRule(ctx, actor, req.params.rule, req.body, requestSource(req)) };
    },
  );

  app.get(
    "/api/alerts",
    {
      schema: {
        tags,
        summary:
          "Raised alerts, newest first: open, acknowledged or all (cursor paging with `before`; audit.view)",
        querystring: AlertsQuery,
        response: { 200: AlertsPage },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!can(actor, "audit.view")) throw forbidden(SEE);
      return alertPage(ctx.db, actor.workspaceId, req.query);
    },
  );

  app.post(
    "/api/alerts/:id/acknowledge",
    {
      schema: {
        tags,
        summary: "Acknowledge an alert (audit.view); acknowledging again keeps the first",
        params: z.object({ id: z.uuid() }),
        response: { 200: z.object({ alert: Alert }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!can(actor, "audit.view")) throw forbidden("Acknowledging alerts needs the audit.view permission.");
      return { alert: await acknowledgeAlert(ctx, actor, req.params.id, requestSource(req)) };
    },
  );
}
