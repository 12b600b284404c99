import { nextOpeningAt } from "@parley/protocol/hours";
import type { AppContext } from "../../../context";
import type { Visitor } from "../../widget/visitors";
import { HoursCache } from "../api";

/**
 * What the widget tells a visitor about hours: whether someone is working now and, when not, when the
 * next opening is (the widget words it "we'll reply by …" in the visitor's language and time zone). The
 * workspace's hours apply: a visitor's conversation has no team until an agent gives it one.
 */
export async function widgetHours(ctx: AppContext, visitor: Visitor) {
  const now = ctx.clock.now().getTime();
  const schedule = await new HoursCache(ctx.db).schedule(visitor.workspaceId, null);
  const opens = nextOpeningAt(schedule, now);
  const open = opens === now;
  return { open, replyBy: open || opens === null ? null : new Date(opens).toISOString() };
}
