import type { AppContext } from "../../../context";
import { AppError } from "../../../lib/errors";
import { sendVisitorMessage } from "../../widget/commands/send-visitor-message";
import type { WidgetHub } from "../../widget/hub";
import type { Visitor } from "../../widget/visitors";

export interface OfflineForm {
  clientId: string;
  email?: string | undefined;
  phone?: string | undefined;
  message: string;
}

/**
 * The widget's offline form: the visitor leaves a way to reach them and a message while nobody works. The
 * message goes in like any visitor message (the ingest path: stored, conversation created or reopened, the
 * outside-hours reply and notifications follow), and the contact keeps the email or phone they left.
 */
export async function sendOfflineMessage(
  ctx: AppContext,
  hub: WidgetHub,
  visitor: Visitor,
  form: OfflineForm,
) {
  if (!form.email && !form.phone) {
    throw new AppError("validation_failed", "Leave an email or a phone number so we can answer you.");
  }
  const left = { ...(form.email ? { email: form.email } : {}), ...(form.phone ? { phone: form.phone } : {}) };
  const who: Visitor = { ...visitor, contact: { ...visitor.contact, ...left } };
  const sent = await sendVisitorMessage(ctx, hub, who, {
    clientId: form.clientId,
    text: form.message,
    fileIds: [],
  });
  await ctx.db.query("update widget_visitors set contact = contact || $2::jsonb where id = $1", [
    visitor.id,
    JSON.stringify(left),
  ]);
  // A contact created earlier (without them) keeps what was already known and gains what was left now.
  await ctx.db.query(
    `update contacts k set email = coalesce(k.email, $3), phone = coalesce(k.phone, $4), updated_at = $5
     from conversations c where c.id = $2 and c.workspace_id = $1 and k.id = c.contact_id`,
    [visitor.workspaceId, sent.conversationId, form.email ?? null, form.phone ?? null, ctx.clock.now()],
  );
  return { conversationId: sent.conversationId };
}
