import { z } from "zod";
import type { AppContext } from "../../context";
import { mustHold } from "../../domain/permissions";
import { type App, actorOf, requestSource } from "../../http/types";
import { updateWorkspace } from "./commands/update-workspace";
import { loadWorkspace } from "./queries/load-workspace";
import { Settings } from "./settings";

const tags = ["workspace"];

export async function workspaceRoutes(app: App, ctx: AppContext) {
  const Workspace = z.object({ id: z.string(), name: z.string(), settings: Settings });

  app.get(
    "/api/workspace",
    {
      schema: {
        tags,
        summary: "The workspace and its settings",
        response: { 200: z.object({ workspace: Workspace }) },
      },
    },
    async (req) => ({ workspace: await loadWorkspace(ctx, actorOf(req).workspaceId) }),
  );

  app.patch(
    "/api/workspace",
    {
      schema: {
        tags,
        summary: "Rename the workspace or change its settings (admins)",
        // No defaults here: a change names only what it changes.
        body: z
          .object({
            name: z.string().trim().min(1).max(120),
            settings: z
              .object({
                sendSeen: z.enum(["off", "on_open", "on_reply"]),
                slaYellowMinutes: z.number().int().min(1).max(10_080).nullable(),
                slaRedMinutes: z.number().int().min(1).max(10_080).nullable(),
                language: z.enum(["en", "ru", "uk"]),
              })
              .partial(),
          })
          .partial()
          .refine(
            (b) =>
              b.settings?.slaYellowMinutes == null ||
              b.settings.slaRedMinutes == null ||
              b.settings.slaRedMinutes > b.settings.slaYellowMinutes,
            {
              message: "The red time limit must be longer than the yellow one.",
              path: ["settings", "slaRedMinutes"],
            },
          ),
        response: { 200: z.object({ workspace: Workspace }) },
      },
    },
    async (req) => {
      const actor = actorOf(req);
      mustHold(actor, "workspace.manage");
      return { workspace: await updateWorkspace(ctx, actor, req.body, requestSource(req)) };
    },
  );
}
