import { workingMs } from "@parley/protocol/hours";
import type { Queryable } from "../../db/client";
import { HoursCache } from "./api";

interface Waiting {
  workspace_id: string;
  team_id: string | null;
  first_unanswered_at: Date;
  yellow: number | null;
  red: number | null;
  level: "yellow" | "red";
}

/**
 * Time limits counted in working time (R107): takes the conversations whose wall-clock wait crossed a limit
 * and keeps those whose working wait (the team's hours, else the workspace's) crossed it too, with the level
 * it reached. Without business hours the working wait is the wall-clock wait and nothing changes. One
 * schedule read per workspace for the whole batch.
 */
export async function workingLevels<T extends Waiting>(db: Queryable, rows: T[], now: Date): Promise<T[]> {
  const hours = new HoursCache(db);
  const out: T[] = [];
  for (const r of rows) {
    const schedule = await hours.schedule(r.workspace_id, r.team_id);
    if (!schedule) {
      out.push(r);
      continue;
    }
    const minutes = workingMs(schedule, r.first_unanswered_at.getTime(), now.getTime()) / 60_000;
    const level =
      r.red !== null && minutes >= r.red ? "red" : r.yellow !== null && minutes >= r.yellow ? "yellow" : null;
    if (level) out.push({ ...r, level });
  }
  return out;
}
