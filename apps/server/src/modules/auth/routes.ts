import { User } from "@parley/protocol";
import { z } from "zod";
import type { AppContext } from "../../context";
import { type App, actorOf } from "../../http/types";
import { listUsers } from "./queries/session-view";
import { invitationRoutes } from "./routes/invitations";
import { sessionRoutes } from "./routes/session";
import { twoFactorRoutes } from "./routes/two-factor";

/** Sign-in, sessions and invitations, and the workspace's people. */
export async function authRoutes(app: App, ctx: AppContext) {
  sessionRoutes(app, ctx);
  invitationRoutes(app, ctx);
  twoFactorRoutes(app, ctx);

  app.get(
    "/api/users",
    {
      schema: {
        tags: ["users"],
        summary: "People of the workspace",
        response: { 200: z.object({ users: z.array(User) }) },
      },
    },
    async (req) => ({ users: await listUsers(ctx.db, actorOf(req).workspaceId) }),
  );
}
