import type { Db } from "../db/client";
import type { EventBus } from "../events/bus";

export interface Health {
  /** Ready for traffic: the database answers and other processes' events reach this one. */
  ok: boolean;
  database: Db["kind"];
  databaseUp: boolean;
  /** "down" while the LISTEN connection is being re-established (always "up" with the in-memory bus). */
  bus: "up" | "down";
  busDownSince: string | null;
  realtimeClients: number;
}

/**
 * What `GET /api/health` answers: 200 when ready, 503 while the database does not answer or the event bus
 * is down (a load balancer sends new sockets elsewhere until it is back; open sockets catch up then).
 */
export async function checkHealth(db: Db, bus: EventBus, realtimeClients: number): Promise<Health> {
  const databaseUp = await db.query("select 1").then(
    () => true,
    () => false,
  );
  const { up, downSince } = bus.health();
  return {
    ok: databaseUp && up,
    database: db.kind,
    databaseUp,
    bus: up ? "up" : "down",
    busDownSince: downSince?.toISOString() ?? null,
    realtimeClients,
  };
}
