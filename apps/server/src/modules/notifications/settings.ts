import type { Role } from "@parley/protocol";
import { NotificationEvent, type NotificationMeans } from "@parley/protocol";
import { z } from "zod";
import type { Queryable } from "../../db/client";

export type Means = Record<NotificationMeans, boolean>;
export type Matrix = Record<NotificationEvent, Means>;

/** What an agent gets before changing anything: the events about their own work reach them everywhere. */
export const DEFAULT_MATRIX: Matrix = {
  new_conversation: { inApp: true, push: false, email: false, sms: false },
  new_message: { inApp: true, push: true, email: false, sms: false },
  assigned: { inApp: true, push: true, email: true, sms: false },
  mention: { inApp: true, push: true, email: true, sms: false },
  customer_read: { inApp: true, push: false, email: false, sms: false },
  time_limit: { inApp: true, push: true, email: false, sms: false },
  security_alert: { inApp: true, push: true, email: true, sms: false },
};

/** Whether any way of notifying is on. */
export const anyMeans = (m: Means) => m.inApp || m.push || m.email || m.sms;

const MeansSchema = z.object({
  inApp: z.boolean(),
  push: z.boolean(),
  email: z.boolean(),
  /** Stored matrices from before SMS notifications have no `sms`: off. */
  sms: z.boolean().default(false),
});
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24-hour)");
const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "is not a known IANA time zone (e.g. Europe/Kyiv)");

export const SettingsSchema = z.object({
  matrix: z.record(NotificationEvent, MeansSchema),
  sound: z.boolean(),
  dnd: z.boolean(),
  quietHours: z.object({ from: HHMM, to: HHMM }).nullable(),
  timeZone: z.string(),
  pausedUntil: z.string().nullable(),
  emailMode: z.enum(["batched", "daily", "weekly"]),
  digestHour: z.number().int(),
});
export type Settings = z.infer<typeof SettingsSchema> & { matrix: Matrix };

export const SettingsInput = z
  .object({
    matrix: z.partialRecord(NotificationEvent, MeansSchema),
    sound: z.boolean(),
    dnd: z.boolean(),
    quietHours: z.object({ from: HHMM, to: HHMM }).nullable(),
    timeZone: TimeZone,
    pausedUntil: z.iso.datetime({ offset: true }).nullable(),
    emailMode: z.enum(["batched", "daily", "weekly"]),
    digestHour: z.number().int().min(0).max(23),
  })
  .partial();
export type SettingsInput = z.infer<typeof SettingsInput>;

export interface SettingsRow {
  user_id: string;
  matrix: Partial<Matrix>;
  sound: boolean;
  dnd: boolean;
  quiet_from: number | null;
  quiet_to: number | null;
  time_zone: string;
  paused_until: Date | null;
  email_mode: "batched" | "daily" | "weekly";
  digest_hour: number;
}

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
export const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

export function presentSettings(row: SettingsRow | undefined): Settings {
  const matrix = { ...DEFAULT_MATRIX };
  for (const [k, v] of Object.entries(row?.matrix ?? {})) {
    if (k in matrix && v) matrix[k as NotificationEvent] = { ...v, sms: v.sms ?? false };
  }
  return {
    matrix,
    sound: row?.sound ?? true,
    dnd: row?.dnd ?? false,
    quietHours:
      row && row.quiet_from !== null && row.quiet_to !== null
        ? { from: hhmm(row.quiet_from), to: hhmm(row.quiet_to) }
        : null,
    timeZone: row?.time_zone ?? "UTC",
    pausedUntil: row?.paused_until ? row.paused_until.toISOString() : null,
    emailMode: row?.email_mode ?? "batched",
    digestHour: row?.digest_hour ?? 8,
  };
}

export const SETTINGS_COLS =
  "user_id, matrix, sound, dnd, quiet_from, quiet_to, time_zone, paused_until, email_mode, digest_hour";

export async function loadSettings(q: Queryable, userIds: string[]): Promise<Map<string, Settings>> {
  const rows = userIds.length
    ? await q.query<SettingsRow>(
        `select ${SETTINGS_COLS} from notification_settings where user_id = any($1::uuid[])`,
        [userIds],
      )
    : [];
  const byUser = new Map(rows.map((r) => [r.user_id, r]));
  return new Map(userIds.map((id) => [id, presentSettings(byUser.get(id))]));
}

/** The local wall-clock of an instant in a time zone. */
export function localParts(at: Date, timeZone: string): { minutes: number; weekday: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    weekday: "short",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(get("weekday"));
  return { minutes: Number(get("hour")) * 60 + Number(get("minute")), weekday };
}

/** Within quiet hours (a range may cross midnight: 22:00–07:00). */
export function inQuietHours(s: Settings, at: Date): boolean {
  if (!s.quietHours) return false;
  const from = minutesOf(s.quietHours.from);
  const to = minutesOf(s.quietHours.to);
  if (from === to) return false;
  const { minutes } = localParts(at, s.timeZone);
  return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

/** Why alerts (toast, sound, push, batched email) are held back now, or null. */
export function silencedBy(s: Settings, at: Date): "paused" | "dnd" | "quiet_hours" | null {
  if (s.pausedUntil && new Date(s.pausedUntil) > at) return "paused";
  if (s.dnd) return "dnd";
  if (inQuietHours(s, at)) return "quiet_hours";
  return null;
}

/** The next time a digest is due: the agent's digest hour (on Monday for the weekly one), in their zone. */
export function nextDigestAt(s: Settings, mode: "daily" | "weekly", after: Date): Date {
  // Quarter-hour steps cover every zone offset (there are :30 and :45 ones) and DST changes.
  const step = 15 * 60_000;
  let t = Math.ceil((after.getTime() + 1) / step) * step;
  for (let i = 0; i < 8 * 96; i++, t += step) {
    const { minutes, weekday } = localParts(new Date(t), s.timeZone);
    if (minutes === s.digestHour * 60 && (mode === "daily" || weekday === 1)) return new Date(t);
  }
  return new Date(after.getTime() + 24 * 3600_000);
}

/** Who a workspace rule or policy applies to: roles, teams, users; null means everyone. */
export const Audience = z.object({
  roles: z
    .array(z.enum(["owner", "admin", "supervisor", "agent"]))
    .max(4)
    .default([]),
  teamIds: z.array(z.uuid()).max(100).default([]),
  userIds: z.array(z.uuid()).max(500).default([]),
});
export type Audience = z.infer<typeof Audience>;

export function inAudience(a: Audience | null, user: { id: string; role: Role; teamIds: readonly string[] }) {
  if (!a) return true;
  return (
    a.roles.includes(user.role) ||
    a.userIds.includes(user.id) ||
    user.teamIds.some((t) => a.teamIds.includes(t))
  );
}
