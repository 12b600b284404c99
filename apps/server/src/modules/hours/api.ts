import {
  addWorkingMs,
  isOpenAt,
  nextClosingAt,
  nextOpeningAt,
  type Schedule,
  workingMs,
} from "@parley/protocol/hours";
import type { Queryable } from "../../db/client";

/**
 * Business hours for other modules (distribution, time limits, reports, the widget). A team without its own
 * hours uses the workspace's; a workspace without hours is always open (its schedule is null).
 *
 * For one request or batch, make one `HoursCache` and ask it: each workspace's schedules are read once
 * (one query for the workspace and all its teams). The pure functions in `@parley/protocol/hours` work over
 * a loaded `Schedule` for set-based callers.
 */
export class HoursCache {
  private readonly loaded = new Map<string, Promise<WorkspaceSchedules>>();
  constructor(private readonly db: Queryable) {}

  /** The schedule that applies to a team (or the workspace when teamId is null); null: always open. */
  async schedule(workspaceId: string, teamId: string | null): Promise<Schedule | null> {
    let p = this.loaded.get(workspaceId);
    if (!p) {
      p = loadWorkspaceSchedules(this.db, workspaceId);
      this.loaded.set(workspaceId, p);
    }
    const s = await p;
    return (teamId ? s.teams.get(teamId) : undefined) ?? s.workspace;
  }
}

export interface WorkspaceSchedules {
  workspace: Schedule | null;
  teams: Map<string, Schedule>;
}

interface HoursRow {
  team_id: string | null;
  time_zone: string;
  weekly: Schedule["weekly"];
  holidays: Schedule["holidays"];
}

export const toSchedule = (r: HoursRow): Schedule => ({
  timeZone: r.time_zone,
  weekly: r.weekly,
  holidays: r.holidays,
});

/** The workspace's schedule and every team's own, in one query. */
export async function loadWorkspaceSchedules(q: Queryable, workspaceId: string): Promise<WorkspaceSchedules> {
  const rows = await q.query<HoursRow>(
    "select team_id, time_zone, weekly, holidays from business_hours where workspace_id = $1",
    [workspaceId],
  );
  const out: WorkspaceSchedules = { workspace: null, teams: new Map() };
  for (const r of rows) {
    if (r.team_id) out.teams.set(r.team_id, toSchedule(r));
    else out.workspace = toSchedule(r);
  }
  return out;
}

const cacheOf = (db: Queryable | HoursCache) => (db instanceof HoursCache ? db : new HoursCache(db));

/** Whether the team (or workspace) is within its business hours at an instant. */
export async function isOpen(
  db: Queryable | HoursCache,
  workspaceId: string,
  teamId: string | null,
  at: Date,
): Promise<boolean> {
  return isOpenAt(await cacheOf(db).schedule(workspaceId, teamId), at.getTime());
}

/** The next instant at or after `at` when the team (or workspace) is open: `at` itself when open now. */
export async function nextOpening(
  db: Queryable | HoursCache,
  workspaceId: string,
  teamId: string | null,
  at: Date,
): Promise<Date | null> {
  const t = nextOpeningAt(await cacheOf(db).schedule(workspaceId, teamId), at.getTime());
  return t === null ? null : new Date(t);
}

/** When the current open period ends (`at` when closed now); null when always open. */
export async function nextClosing(
  db: Queryable | HoursCache,
  workspaceId: string,
  teamId: string | null,
  at: Date,
): Promise<Date | null> {
  const t = nextClosingAt(await cacheOf(db).schedule(workspaceId, teamId), at.getTime());
  return t === null ? null : new Date(t);
}

/** Working milliseconds between two instants (all of them when no hours are configured). */
export async function workingMsBetween(
  db: Queryable | HoursCache,
  workspaceId: string,
  teamId: string | null,
  from: Date,
  to: Date,
): Promise<number> {
  return workingMs(await cacheOf(db).schedule(workspaceId, teamId), from.getTime(), to.getTime());
}

/** The instant when `ms` working milliseconds have passed since `from` (a time limit's due instant). */
export async function dueAfterWorking(
  db: Queryable | HoursCache,
  workspaceId: string,
  teamId: string | null,
  from: Date,
  ms: number,
): Promise<Date | null> {
  const t = addWorkingMs(await cacheOf(db).schedule(workspaceId, teamId), from.getTime(), ms);
  return t === null ? null : new Date(t);
}
