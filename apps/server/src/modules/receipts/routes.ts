import { Message } from "@parley/protocol";
import { z } from "zod";
import { type AppContext, transact } from "../../context";
import type { Queryable } from "../../db/client";
import { isAdmin, isManager } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden, notFound } from "../../lib/errors";
import { conversationForActor } from "../conversations/access";
import { BOM, csvRow } from "../log/csv";
import { connectionDiagnostics, DiagnosticsOut, sendTestMessage } from "./diagnostics";
import { loadReceiptSettings, ReceiptSettings } from "./policy";
import { eraseContact, exportContact, recordReadTrackingConsent } from "./privacy";
import { REPORT_CSV_HEADER, ReceiptReport, ReceiptReportQuery, receiptReport, reportCsvRow } from "./report";
import { retryMessage } from "./retry";
import { seenBy } from "./seen-by";

const tags = ["receipts"];
const IdParams = z.object({ id: z.uuid() });
const Override = z.object({
  /** true or false overrides the wider setting; null inherits it. */
  readReceipts: z.boolean().nullable(),
});

const audit = (
  ctx: AppContext,
  q: Queryable,
  a: { workspaceId: string; userId: string },
  action: string,
  target: [string, string],
  data: unknown,
) =>
  q.query(
    "insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
    [a.workspaceId, a.userId, action, target[0], target[1], JSON.stringify(data), ctx.clock.now()],
  );

/** Receipts (R301–R309): policy, staff "seen by", retry, privacy, diagnostics and reports. */
export async function receiptRoutes(app: App, ctx: AppContext) {
  const settingsView = async (workspaceId: string) => {
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
  };
  const SettingsView = z.object({
    settings: ReceiptSettings,
    connections: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        type: z.string(),
        readReceipts: z.boolean().nullable(),
        reportsRead: z.boolean(),
        markSeen: z.boolean(),
      }),
    ),
  });

  app.get(
    "/api/receipts/settings",
    {
      schema: {
        tags,
        summary: "Read-receipt policy and privacy settings, with each connection's override",
        response: { 200: SettingsView },
      },
    },
    async (req) => settingsView(actorOf(req).workspaceId),
  );

  app.patch(
    "/api/receipts/settings",
    {
      schema: {
        tags,
        summary: "Change the read-receipt policy and privacy settings (admins)",
        body: z
          .object({
            readReceipts: z.boolean(),
            consentMode: z.boolean(),
            retentionDays: z.number().int().min(1).max(3650).nullable(),
            anonymiseReports: z.boolean(),
          })
          .partial(),
        response: { 200: SettingsView },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins change the read-receipt policy.");
      await transact(ctx, async (tx) => {
        const current = await loadReceiptSettings(tx.q, actor.workspaceId);
        await tx.q.query(
          "update workspaces set settings = jsonb_set(settings, '{receipts}', $2::jsonb) where id = $1",
          [actor.workspaceId, JSON.stringify({ ...current, ...req.body })],
        );
        await audit(
          ctx,
          tx.q,
          actor,
          "receipts.settings_updated",
          ["workspace", actor.workspaceId],
          req.body,
        );
      });
      return settingsView(actor.workspaceId);
    },
  );

  app.put(
    "/api/connections/:id/receipt-policy",
    {
      schema: {
        tags,
        summary: "Turn read receipts on or off for one channel connection, or inherit (admins)",
        params: IdParams,
        body: Override,
        response: { 200: Override },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const rows = await ctx.db.query(
        "select 1 from channel_connections where id = $1 and workspace_id = $2",
        [req.params.id, actor.workspaceId],
      );
      if (!rows.length) throw notFound("Connection");
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins change the read-receipt policy.");
      await transact(ctx, async (tx) => {
        await tx.q.query("update channel_connections set read_receipts = $2 where id = $1", [
          req.params.id,
          req.body.readReceipts,
        ]);
        await audit(ctx, tx.q, actor, "receipts.connection_policy", ["connection", req.params.id], req.body);
      });
      return { readReceipts: req.body.readReceipts };
    },
  );

  app.put(
    "/api/conversations/:id/receipt-policy",
    {
      schema: {
        tags,
        summary: "Turn read receipts on or off for one conversation, or inherit (managers)",
        params: IdParams,
        body: Override,
        response: { 200: Override },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      await transact(ctx, async (tx) => {
        await conversationForActor(tx.q, actor, req.params.id, { lock: true });
        if (!isManager(actor.role))
          throw forbidden("Only owners, admins and supervisors change the read-receipt policy.");
        await tx.q.query("update conversations set read_receipts = $2 where id = $1", [
          req.params.id,
          req.body.readReceipts,
        ]);
        await audit(
          ctx,
          tx.q,
          actor,
          "receipts.conversation_policy",
          ["conversation", req.params.id],
          req.body,
        );
      });
      return { readReceipts: req.body.readReceipts };
    },
  );

  app.get(
    "/api/conversations/:id/seen-by",
    {
      schema: {
        tags,
        summary: "Who of the team has seen this conversation's messages, up to where and when",
        params: IdParams,
        querystring: z.object({ since: z.coerce.number().int().min(0).default(0) }),
        response: {
          200: z.object({
            readTrackingOff: z.enum(["conversation", "connection", "workspace", "no_consent"]).nullable(),
            override: z.boolean().nullable(),
            cursors: z.array(
              z.object({
                userId: z.string(),
                name: z.string(),
                avatarUrl: z.string().nullable(),
                lastReadSeq: z.number(),
                markedUnread: z.boolean(),
                readAt: z.string(),
              }),
            ),
            marks: z.array(z.object({ userId: z.string(), seq: z.number(), at: z.string() })),
          }),
        },
      },
    },
    async (req) => seenBy(ctx, actorOf(req), req.params.id, req.query.since),
  );

  app.post(
    "/api/conversations/:id/messages/:messageId/retry",
    {
      schema: {
        tags,
        summary: "Send a failed reply again",
        params: z.object({ id: z.uuid(), messageId: z.uuid() }),
        response: { 200: z.object({ message: Message }) },
      },
    },
    async (req) => ({
      message: await retryMessage(ctx, actorOf(req), req.params.id, req.params.messageId),
    }),
  );

  const Consent = z.object({
    granted: z.boolean().nullable(),
    at: z.string().nullable(),
    source: z.string().nullable(),
  });
  app.put(
    "/api/contacts/:id/read-tracking-consent",
    {
      schema: {
        tags,
        summary: "Record a contact's consent to read tracking (given or withdrawn)",
        params: IdParams,
        body: z.object({ granted: z.boolean(), source: z.string().trim().min(1).max(64).default("agent") }),
        response: { 200: z.object({ consent: Consent }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const consent = await recordReadTrackingConsent(ctx, {
        workspaceId: actor.workspaceId,
        contactId: req.params.id,
        granted: req.body.granted,
        source: req.body.source,
        userId: actor.userId,
      });
      return { consent };
    },
  );

  app.get(
    "/api/contacts/:id/export",
    {
      schema: {
        tags,
        summary: "Everything held about a contact, as JSON (admins; audited)",
        params: IdParams,
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const exists = await ctx.db.query("select 1 from contacts where id = $1 and workspace_id = $2", [
        req.params.id,
        actor.workspaceId,
      ]);
      if (!exists.length) throw notFound("Contact");
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins export a contact's data.");
      const data = await exportContact(ctx, actor, req.params.id);
      return reply
        .header("content-disposition", `attachment; filename="parley-contact-${req.params.id}.json"`)
        .header("cache-control", "no-store")
        .send(data);
    },
  );

  app.delete(
    "/api/contacts/:id/data",
    {
      schema: {
        tags,
        summary: "Erase a contact with their conversations and messages (admins; audited)",
        params: IdParams,
        response: {
          200: z.object({ erased: z.object({ conversations: z.number(), messages: z.number() }) }),
        },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const exists = await ctx.db.query("select 1 from contacts where id = $1 and workspace_id = $2", [
        req.params.id,
        actor.workspaceId,
      ]);
      if (!exists.length) throw notFound("Contact");
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins erase a contact's data.");
      return { erased: await eraseContact(ctx, actor, req.params.id) };
    },
  );

  app.get(
    "/api/connections/:id/diagnostics",
    {
      schema: {
        tags,
        summary: "A connection's receipt health for troubleshooting (admins)",
        params: IdParams,
        response: { 200: DiagnosticsOut },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      const d = await connectionDiagnostics(ctx, actor, req.params.id);
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins see a connection's diagnostics.");
      return d;
    },
  );

  app.post(
    "/api/connections/:id/test-message",
    {
      schema: {
        tags,
        summary: "Send a test message through the connection into one of its conversations (admins)",
        params: IdParams,
        body: z.object({ conversationId: z.uuid(), text: z.string().trim().min(1).max(500) }),
        response: { 201: z.object({ message: Message }) },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const own = await ctx.db.query(
        "select 1 from channel_connections where id = $1 and workspace_id = $2",
        [req.params.id, actor.workspaceId],
      );
      if (!own.length) throw notFound("Connection");
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins send test messages.");
      const message = await sendTestMessage(
        ctx,
        actor,
        req.params.id,
        req.body.conversationId,
        req.body.text,
      );
      return reply.status(201).send({ message });
    },
  );

  const managersOnly = (role: Parameters<typeof isManager>[0]) => {
    if (!isManager(role)) throw forbidden("Only owners, admins and supervisors may see receipt reports.");
  };
  app.get(
    "/api/receipts/report",
    {
      schema: {
        tags,
        summary: "Read rate, time to deliver and to read, replies after read, by channel, agent or day",
        querystring: ReceiptReportQuery,
        response: { 200: ReceiptReport },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      managersOnly(actor.role);
      return receiptReport(ctx.db, ctx.channels, actor.workspaceId, req.query, ctx.clock.now());
    },
  );

  app.get(
    "/api/receipts/report.csv",
    {
      schema: { tags, summary: "The receipt report as CSV (managers)", querystring: ReceiptReportQuery },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      managersOnly(actor.role);
      const r = await receiptReport(ctx.db, ctx.channels, actor.workspaceId, req.query, ctx.clock.now());
      const body =
        BOM + [REPORT_CSV_HEADER, ...r.rows.map(reportCsvRow), reportCsvRow(r.total)].map(csvRow).join("");
      const day = ctx.clock.now().toISOString().slice(0, 10);
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="parley-receipts-${r.groupBy}-${day}.csv"`)
        .header("cache-control", "no-store")
        .send(body);
    },
  );
}
