import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { conflict, notFound } from "../../../lib/errors";
import { emitContactCreated, newContact } from "../../contacts/events";
import { conversationNumberSequence } from "../../conversations/numbers";
import { accessOf, loadConversationRow, presentConversation } from "../../conversations/present";
import { sendMessage } from "../../messages/send-message";
import { parseWorkspaceLanguage, type TestLanguage, testMessageText } from "../test-text";

/**
 * Sends a diagnostics test message (R308) through the connection, only ever to a test contact: the address
 * the admin names (their own number, a sandbox) becomes a contact marked `test_contact`, with its own
 * conversation assigned to the admin. An address that already belongs to a customer is refused (409): a test
 * never lands in a customer's conversation. The text is written in the workspace's language (or the one the
 * admin picks) and starts with a test label. Its receipt trail then moves live through `message.updated`.
 */
export async function sendDiagnosticTest(
  ctx: AppContext,
  actor: Actor,
  connectionId: string,
  input: { to: string; language?: TestLanguage },
) {
  const [conn] = await ctx.db.query<{ type: string; workspace: string; settings: unknown }>(
    `select cc.type, w.name as workspace, w.settings from channel_connections cc
     join workspaces w on w.id = cc.workspace_id where cc.id = $1 and cc.workspace_id = $2`,
    [connectionId, actor.workspaceId],
  );
  if (!conn) throw notFound("Connection");
  const language = input.language ?? parseWorkspaceLanguage(conn.settings);
  const conversationId = await transact(ctx, async (tx) => {
    const [known] = await tx.q.query<{
      contact_id: string;
      test: boolean;
      name: string | null;
      conv: string | null;
    }>(
      `select i.contact_id, ct.test_contact as test, ct.name, c.id as conv
       from contact_identities i join contacts ct on ct.id = i.contact_id
       left join conversations c on c.identity_id = i.id
       where i.connection_id = $1 and i.external_id = $2`,
      [connectionId, input.to],
    );
    if (known && !known.test) {
      throw conflict(
        `${input.to} belongs to a customer${known.name ? ` (${known.name})` : ""}: test messages go only to a test contact. Enter your own number or the channel's sandbox address.`,
      );
    }
    if (known?.conv) return known.conv;
    let contactId = known?.contact_id;
    let identityId: string;
    if (!contactId) {
      const [contact] = await tx.q.query<{ id: string }>(
        `insert into contacts (workspace_id, name, test_contact, created_at, updated_at)
         values ($1, $2, true, $3, $3) returning id`,
        [actor.workspaceId, `Test contact ${input.to}`, tx.now],
      );
      contactId = contact!.id;
      const [identity] = await tx.q.query<{ id: string }>(
        `insert into contact_identities (workspace_id, contact_id, connection_id, external_id, display_name, created_at)
         values ($1, $2, $3, $4, $4, $5) returning id`,
        [actor.workspaceId, contactId, connectionId, input.to, tx.now],
      );
      identityId = identity!.id;
      emitContactCreated(
        tx,
        actor.workspaceId,
        newContact(contactId, { name: `Test contact ${input.to}` }, tx.now),
      );
    } else {
      const [identity] = await tx.q.query<{ id: string }>(
        "select id from contact_identities where connection_id = $1 and external_id = $2",
        [connectionId, input.to],
      );
      identityId = identity!.id;
    }
    const [num] = await tx.q.query<{ n: number }>("select nextval($1::regclass) as n", [
      conversationNumberSequence(actor.workspaceId),
    ]);
    const [created] = await tx.q.query<{ id: string }>(
      `insert into conversations (workspace_id, number, connection_id, contact_id, identity_id, assignee_id,
         last_activity_at, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7, $7) returning id`,
      [actor.workspaceId, num!.n, connectionId, contactId, identityId, actor.userId, tx.now],
    );
    const row = (await loadConversationRow(tx.q, actor.workspaceId, created!.id))!;
    tx.emit(actor.workspaceId, {
      type: "conversation.created",
      conversationId: created!.id,
      conversation: presentConversation(row),
      audience: { conversation: accessOf(row) },
    });
    return created!.id;
  });
  const { message } = await sendMessage(ctx, actor, {
    conversationId,
    text: testMessageText(language, conn.workspace),
    attachments: [],
    quotedMessageId: null,
    clientId: null,
    note: false,
  });
  return { message, conversationId, language };
}
