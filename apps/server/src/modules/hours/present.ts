import type { z } from "zod";
import type { AutoReplyView, HoursView } from "./schema";

export interface HoursRowFull {
  team_id: string | null;
  time_zone: string;
  weekly: z.infer<typeof HoursView>["weekly"];
  holidays: z.infer<typeof HoursView>["holidays"];
  updated_at: Date;
}

export const presentHours = (r: HoursRowFull): z.infer<typeof HoursView> => ({
  timeZone: r.time_zone,
  weekly: r.weekly,
  holidays: r.holidays,
  updatedAt: r.updated_at.toISOString(),
});

export interface AutoReplyRow {
  connection_id: string;
  connection_name: string;
  channel: string;
  enabled: boolean | null;
  language: string | null;
  texts: Record<string, string> | null;
}

export const presentAutoReply = (r: AutoReplyRow): z.infer<typeof AutoReplyView> => ({
  connectionId: r.connection_id,
  connectionName: r.connection_name,
  channel: r.channel,
  enabled: r.enabled ?? false,
  language: (r.language ?? "en") as "en" | "ru" | "uk",
  texts: r.texts ?? {},
});
