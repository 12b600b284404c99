import type { NotificationMeans } from "@parley/protocol";
import type { z } from "zod";
import type { Rule, RuleInput } from "./schema";
import type { Audience } from "./settings";

export interface RuleRow {
  id: string;
  match: RuleInput["match"];
  tag_id: string | null;
  connection_id: string | null;
  means: NotificationMeans[];
  timing: RuleInput["timing"];
  delay_minutes: number;
  recipients: Audience | null;
}

export const RULE_COLS = "id, match, tag_id, connection_id, means, timing, delay_minutes, recipients";

export const presentRule = (r: RuleRow): z.infer<typeof Rule> => ({
  id: r.id,
  match: r.match,
  tagId: r.tag_id,
  connectionId: r.connection_id,
  means: r.means,
  timing: r.timing,
  delayMinutes: r.delay_minutes,
  recipients: r.recipients,
});
