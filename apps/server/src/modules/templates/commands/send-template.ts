import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { sendMessage } from "../../messages/send-message";
import { TEMPLATE_COLUMNS, type TemplateRow } from "../present";
import { renderTemplate, type TemplateVariables } from "../render";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sends an approved template of the conversation's connection with its variables filled in. `byRule`: an
 * automation rule sends it (authored by the rule, as its other messages).
 */
export async function sendTemplate(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  input: { templateId: string; variables: TemplateVariables; clientId: string | null; byRule?: boolean },
) {
  const { row: conv } = await conversationForActor(ctx.db, actor, conversationId);
  const [tpl] = UUID.test(input.templateId)
    ? await ctx.db.query<TemplateRow>(
        `select ${TEMPLATE_COLUMNS} from message_templates where workspace_id = $1 and id = $2`,
        [actor.workspaceId, input.templateId],
      )
    : [];
  if (!tpl || tpl.connection_id !== conv.connection_id)
    throw new AppError(
      "unprocessable",
      "This template is not one of the conversation's channel connection: sync the templates and choose one from the list.",
    );
  if (tpl.status !== "APPROVED")
    throw new AppError(
      "unprocessable",
      `The template "${tpl.name}" (${tpl.language}) is ${tpl.status.toLowerCase()}: only approved templates can be sent.`,
      { status: tpl.status },
    );
  const rendered = renderTemplate(tpl.components, input.variables);
  return sendMessage(ctx, actor, {
    conversationId: conv.id,
    text: rendered.text,
    attachments: [],
    quotedMessageId: null,
    clientId: input.clientId,
    note: false,
    ...(input.byRule ? { byRule: true } : {}),
    template: {
      templateId: tpl.id,
      name: tpl.name,
      language: tpl.language,
      category: tpl.category,
      variables: rendered.variables,
      components: rendered.components,
    },
  });
}
