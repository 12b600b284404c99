import { z } from "zod";
import type { AppContext } from "../../context";
import { type Actor, can } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { forbidden } from "../../lib/errors";
import { sendCsv } from "../log/csv";
import { exportAudit } from "./commands/export-audit";
import { AuditEntryOut, AuditFilters, AuditQuery, listAudit } from "./queries/list-audit";
import { RETENTION_DEFAULT_DAYS, RETENTION_MIN_DAYS, retentionDays, setRetention } from "./retention";

const tags = ["audit"];

function mayView(actor: Actor) {
  if (!can(actor, "audit.view")) throw forbidden("Reading the audit log needs the audit.view permission.");
  return actor;
}

const Retention = z.object({ retentionDays: z.number().int() });

export async function auditRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/audit",
    {
      schema: {
        tags,
        summary: "The workspace's audit log, newest first, filtered, keyset-paginated (audit.view)",
        querystring: AuditQuery,
        response: { 200: z.object({ entries: z.array(AuditEntryOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => listAudit(ctx.db, mayView(actorOf(req)).workspaceId, req.query),
  );

  app.get(
    "/api/audit/export.csv",
    {
      schema: {
        tags,
        summary:
          "The audit log as CSV with the page's filters, streamed; the export is itself recorded (audit.view)",
        querystring: AuditFilters,
      },
    },
    async (req, reply) => {
      const actor = mayView(actorOf(req));
      const { stream, filename } = await exportAudit(ctx, actor, req.query, requestSource(req));
      return sendCsv(reply, filename, stream);
    },
  );

  app.get(
    "/api/audit/settings",
    {
      schema: {
        tags,
        summary: "How many days the audit log is kept (audit.view)",
        response: { 200: Retention },
      },
    },
    async (req) => ({ retentionDays: await retentionDays(ctx.db, mayView(actorOf(req)).workspaceId) }),
  );

  app.put(
    "/api/audit/settings",
    {
      schema: {
        tags,
        summary: `Keep the audit log this many days (at least ${RETENTION_MIN_DAYS}, default ${RETENTION_DEFAULT_DAYS}; workspace.manage)`,
        body: z.object({
          retentionDays: z
            .number()
            .int()
            .min(RETENTION_MIN_DAYS, `The audit log is kept at least ${RETENTION_MIN_DAYS} days.`)
            .max(36_500),
        }),
        response: { 200: Retention },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!can(actor, "workspace.manage"))
        throw forbidden("Changing how long the audit log is kept needs the workspace.manage permission.");
      return {
        retentionDays: await setRetention(ctx, actor, req.body.retentionDays, requestSource(req)),
      };
    },
  );
}
