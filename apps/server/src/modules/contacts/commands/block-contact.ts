import { type AppContext, transact } from "../../../context";
import { kysely } from "../../../db/kysely";
import { type Actor, can } from "../../../domain/permissions";
import { forbidden, notFound } from "../../../lib/errors";
import { type AuditSource, recordAudit } from "../../audit/record";
import { emitContactsUpdated } from "../events";
import { contactExists } from "../queries/contacts";

/** Supervisors block anyone; an agent only the contact of a conversation they are assigned to or operate. */
async function assertMayBlock(ctx: AppContext, actor: Actor, contactId: string) {
  if (can(actor, "conversations.view_all")) return;
  const handled = await kysely(ctx.db)
    .selectFrom("conversations as c")
    .select("c.id")
    .where("c.contact_id", "=", contactId)
    .where("c.workspace_id", "=", actor.workspaceId)
    .where((eb) =>
      eb.or([
        eb("c.assignee_id", "=", actor.userId),
        eb.exists(
          eb
            .selectFrom("conversation_operators as o")
            .select("o.user_id")
            .whereRef("o.conversation_id", "=", "c.id")
            .where("o.user_id", "=", actor.userId),
        ),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  if (handled) return;
  if (!(await contactExists(ctx.db, actor.workspaceId, contactId))) throw notFound("Contact");
  throw forbidden(
    "Only the agent handling this contact's conversation or a supervisor can block or unblock them.",
  );
}

/**
 * Blocks (no messages sent or received) or unblocks a contact, with a `contact.updated` event, and leaves a
 * trace in the audit log. Replies still queued to a blocked contact fail when the send job reaches them
 * (`contact_blocked`); after unblocking they can be sent again (retry).
 */
export async function setContactBlocked(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  blocked: boolean,
  source: AuditSource,
) {
  await assertMayBlock(ctx, actor, contactId);
  return transact(ctx, async (tx) => {
    const changed = await kysely(tx.q)
      .updateTable("contacts")
      .set((eb) => ({
        // Blocking twice keeps the first time.
        blocked_at: blocked ? eb.fn.coalesce("blocked_at", eb.val(tx.now)) : null,
        updated_at: tx.now,
      }))
      .where("workspace_id", "=", actor.workspaceId)
      .where("id", "=", contactId)
      .returning("id")
      .executeTakeFirst();
    if (!changed) throw notFound("Contact");
    await recordAudit(tx.q, {
      workspaceId: actor.workspaceId,
      userId: actor.userId,
      action: blocked ? "contact.blocked" : "contact.unblocked",
      targetType: "contact",
      targetId: contactId,
      ...source,
      at: tx.now,
    });
    const [contact] = await emitContactsUpdated(tx, actor.workspaceId, [contactId]);
    return contact!;
  });
}
