import { z } from "zod";
import { type AppContext, transact } from "../../context";
import { isAdmin } from "../../domain/permissions";
import { type App, actorOf } from "../../http/types";
import { forbidden } from "../../lib/errors";

const Settings = z.object({
  /** R306: tell customers their messages were seen — never, when an agent opens the conversation, or replies. */
  sendSeen: z.enum(["off", "on_open", "on_reply"]).default("off"),
  /** R107: a waiting customer's label turns yellow, then red, after this many minutes (null: no limit). */
  slaYellowMinutes: z.number().int().min(1).max(10_080).nullable().default(null),
  slaRedMinutes: z.number().int().min(1).max(10_080).nullable().default(null),
});
const tags = ["workspace"];

export async function workspaceRoutes(app: App, ctx: AppContext) {
  const load = async (workspaceId: string) => {
    const [row] = await ctx.db.query<{ id: string; name: string; settings: Record<string, unknown> }>(
      "select id, name, settings from workspaces where id = $1",
      [workspaceId],
    );
    return { id: row!.id, name: row!.name, settings: Settings.parse(row!.settings) };
  };
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
    async (req) => ({ workspace: await load(actorOf(req).workspaceId) }),
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
      if (!isAdmin(actor.role)) throw forbidden("Only owners and admins change the workspace's settings.");
      await transact(ctx, async (tx) => {
        await tx.q.query(
          "update workspaces set name = coalesce($2, name), settings = settings || $3::jsonb where id = $1",
          [actor.workspaceId, req.body.name ?? null, JSON.stringify(req.body.settings ?? {})],
        );
        await tx.q.query(
          "insert into audit_log (workspace_id, user_id, action, target_type, target_id, data, created_at) values ($1, $2, 'workspace.updated', 'workspace', $5, $3, $4)",
          [actor.workspaceId, actor.userId, JSON.stringify(req.body), tx.now, actor.workspaceId],
        );
      });
      return { workspace: await load(actor.workspaceId) };
    },
  );
}
