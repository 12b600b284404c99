import type { Selectable } from "kysely";
import type { CannedReplies } from "../../db/schema";
import { iso } from "../../lib/time";

/** The columns a canned reply is answered with. */
export const CANNED_COLUMNS = ["id", "shortcut", "title", "text", "updated_at"] as const;
type Row = Pick<Selectable<CannedReplies>, (typeof CANNED_COLUMNS)[number]>;

export const presentCanned = (r: Row) => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  text: r.text,
  updatedAt: iso(r.updated_at)!,
});
