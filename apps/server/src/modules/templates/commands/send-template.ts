import type { Attachment } from "@parley/protocol";
import type { AppContext } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { AppError } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { sendMessage } from "../../messages/send-message";
import { TEMPLATE_COLUMNS, type TemplateRow } from "../present";
import { renderTemplate, type TemplateVariables } from "../render";

const FILE_URL = /^\/api\/files\/([0-9a-f-]{36})$/;

/** A header file's name and type as stored (a Parley file of the workspace), else as given. */
async function storedType(ctx: AppContext, workspaceId: string, file: Attachment) {
  const id = FILE_URL.exec(file.url)?.[1];
  if (!id) return file;
  const [row] = await ctx.db.query<{ name: string; mime_type: string }>(
    "select name, mime_type from files where id = $1 and workspace_id = $2",
    [id, workspaceId],
  );
  // A file not found is refused by sendMessage with its own message; check what was given meanwhile.
  return row ? { name: row.name, mimeType: row.mime_type } : file;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sends an approved template of the conversation's connection with its variables filled in. `byRule`: an
 * automation rule sends it (authored by the rule, as its other messages).
 */
export async function sendTemplate(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  input: {
    templateId: string;
    variables: TemplateVariables;
    headerFile: Attachment | null;
    clientId: string | null;
    byRule?: boolean;
  },
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
  const rendered = renderTemplate(
    tpl.components,
    input.variables,
    input.headerFile && (await storedType(ctx, actor.workspaceId, input.headerFile)),
  );
  return sendMessage(ctx, actor, {
    conversationId: conv.id,
    text: rendered.text,
    // A media header's file travels as the message's attachment (shown in the feed; the adapter uploads it).
    attachments: input.headerFile ? [input.headerFile] : [],
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
