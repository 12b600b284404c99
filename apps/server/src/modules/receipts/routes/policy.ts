import type { AppContext } from "../../../context";
import { mustHold } from "../../../domain/permissions";
import { type App, actorOf, requestSource } from "../../../http/types";
import { setReceiptOverride } from "../commands/set-receipt-override";
import { updateReceiptSettings } from "../commands/update-settings";
import { receiptSettingsView } from "../queries/settings-view";
import { IdParams, Override, SettingsPatch, SettingsView, tags } from "../schema";

/** The read-receipt policy (R305): the workspace's settings and the per-connection and per-conversation overrides. */
export function receiptPolicyRoutes(app: App, ctx: AppContext) {
  app.get(
    "/api/receipts/settings",
    {
      schema: {
        tags,
        summary: "Read-receipt policy and privacy settings, with each connection's override",
        response: { 200: SettingsView },
      },
    },
    async (req) => receiptSettingsView(ctx, actorOf(req).workspaceId),
  );

  app.patch(
    "/api/receipts/settings",
    {
      schema: {
        tags,
        summary: "Change the read-receipt policy and privacy settings (admins)",
        body: SettingsPatch,
        response: { 200: SettingsView },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "policy.manage");
      await updateReceiptSettings(ctx, actor, req.body, requestSource(req));
      return receiptSettingsView(ctx, actor.workspaceId);
    },
  );

  for (const target of ["connection", "conversation"] as const) {
    app.put(
      `/api/${target}s/:id/receipt-policy`,
      {
        schema: {
          tags,
          summary:
            target === "connection"
              ? "Turn read receipts on or off for one channel connection, or inherit (admins)"
              : "Turn read receipts on or off for one conversation, or inherit (managers)",
          params: IdParams,
          body: Override,
          response: { 200: Override },
        },
      },
      async (req) =>
        setReceiptOverride(
          ctx,
          actorOf(req),
          target,
          req.params.id,
          req.body.readReceipts,
          requestSource(req),
        ),
    );
  }
}
