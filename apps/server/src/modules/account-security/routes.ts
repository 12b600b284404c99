import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { recoveryRoutes } from "./routes/recovery";
import { sessionListRoutes } from "./routes/sessions";

/** Account security (R802): password reset, confirmed email change, and the sessions list. */
export async function accountSecurityRoutes(app: App, ctx: AppContext) {
  recoveryRoutes(app, ctx);
  sessionListRoutes(app, ctx);
}
