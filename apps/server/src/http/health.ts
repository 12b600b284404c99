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
 * 200 when ready, 503 while the database does not answer or the event bus is down (a load balancer sends new
 * sockets elsewhere until it is back; open sockets catch up then). It carries the roles this process runs,
 * its sockets and its ingest queue. The answer is built here only: a new field is one more line below.
 */
export async function healthOf(s: HealthSources) {
  const db = s.ctx.db;
  const databaseUp = await db.query("select 1").then(
    () => true,
    () => false,
  );
  const { up, downSince } = s.ctx.bus.health();
  return {
    /** Ready for traffic: the database answers and other processes' events reach this one. */
    ok: databaseUp && up,
    database: db.kind,
    databaseUp,
    /** "down" while the LISTEN connection is being re-established (always "up" with the in-memory bus). */
    bus: up ? ("up" as const) : ("down" as const),
    busDownSince: downSince?.toISOString() ?? null,
    roles: s.roles,
    realtimeClients: s.agents.clientCount(),
    widgetClients: s.visitors.count(),
    ingestQueue: s.ctx.ingest.depth(),
    /** Where rate limits count: "redis-degraded" is Redis configured but unreachable (PostgreSQL counts). */
    limits: s.ctx.limits.state(),
  };
}

export function healthRoute(app: App, sources: HealthSources) {
  app.get("/api/health", { config: { auth: false }, schema: { hide: true } }, async (_req, reply) => {
    const health = await healthOf(sources);
    return reply.code(health.ok ? 200 : 503).send(health);
  });
}

export type Health = Awaited<ReturnType<typeof healthOf>>;
