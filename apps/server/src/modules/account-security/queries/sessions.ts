import Bowser from "bowser";
import type { Queryable } from "../../../db/client";
import type { SessionView } from "../schema";

export interface SessionRow {
  id: string;
  public_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
}

const DEVICES = new Set(["desktop", "mobile", "tablet", "tv", "bot"]);
const named = (name?: string, version?: string) =>
  name ? (version ? `${name} ${version.split(".")[0]}` : name) : null;

/** Reads a user agent with bowser (MIT); anything it cannot tell stays null. */
export function describeAgent(userAgent: string | null) {
  if (!userAgent) return { browser: null, os: null, device: null };
  const ua = Bowser.parse(userAgent);
  const type = ua.platform.type;
  return {
    browser: named(ua.browser.name, ua.browser.version),
    os: named(ua.os.name, ua.os.version && ua.os.name !== "macOS" ? ua.os.version : undefined),
    device: type && DEVICES.has(type) ? (type as SessionView["device"]) : null,
  };
}

export const presentSession = (s: SessionRow, currentId: string | null): SessionView => ({
  id: s.public_id,
  ...describeAgent(s.user_agent),
  userAgent: s.user_agent,
  ip: s.ip,
  createdAt: s.created_at.toISOString(),
  lastSeenAt: s.last_seen_at.toISOString(),
  current: s.id === currentId,
});

/** A person's open sessions, the most recently used first. */
export async function listSessions(q: Queryable, workspaceId: string, userId: string, now: Date) {
  return q.query<SessionRow>(
    `select id, public_id, ip, user_agent, created_at, last_seen_at from sessions
     where user_id = $1 and workspace_id = $2 and expires_at > $3 order by last_seen_at desc, created_at desc`,
    [userId, workspaceId, now],
  );
}
