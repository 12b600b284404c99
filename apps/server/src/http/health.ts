import type { AppContext } from "../context";
import type { WidgetHub } from "../modules/widget/hub";
import type { Role } from "../process/roles";
import type { RealtimeHub } from "../realtime/hub";
import type { App } from "./types";

/** What the health answer is made of: the process's parts, read when it is asked. */
export interface HealthSources {
  ctx: AppContext;
  roles: readonly Role[];
  agents: RealtimeHub;
  visitors: WidgetHub;
}

/**
 * `GET /api/health`, answered by every process whatever its roles (load balancers and orchestrators ask it):
 * 200 once the database answers, with the roles this process runs, its sockets and its ingest queue.
 * The answer is built here only: a new field is one more line below.
 */
export async function healthOf(s: HealthSources) {
  await s.ctx.db.query("select 1");
  return {
    ok: true,
    database: s.ctx.db.kind,
    roles: s.roles,
    realtimeClients: s.agents.clientCount(),
    widgetClients: s.visitors.count(),
    ingestQueue: s.ctx.ingest.depth(),
  };
}

export function healthRoute(app: App, sources: HealthSources) {
  app.get("/api/health", { config: { auth: false }, schema: { hide: true } }, () => healthOf(sources));
}
