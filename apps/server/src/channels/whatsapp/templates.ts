import { type AdapterContext, ChannelSendError, ChannelSetupError, type ProviderTemplate } from "../types";
import { graphReach, sendErrorOf, unreachable } from "./client";
import { WaTemplate, WaTemplatePage, type WhatsAppCredentials } from "./payloads";

type Conn = { credentials: WhatsAppCredentials };
const TEMPLATE_STATUS: Record<string, ProviderTemplate["status"]> = {
  APPROVED: "APPROVED",
  PENDING: "PENDING",
  IN_APPEAL: "PENDING",
  REJECTED: "REJECTED",
  PAUSED: "PAUSED",
};

/** Every template of the business account, following Graph's cursor paging. */
export async function listTemplates(conn: Conn, ctx: AdapterContext): Promise<ProviderTemplate[]> {
  const { businessAccountId, accessToken } = conn.credentials;
  if (!businessAccountId)
    throw new ChannelSetupError(
      "Add the WhatsApp Business Account id (businessAccountId) to the connection's credentials to sync its message templates.",
    );
  const out: ProviderTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < 200; page++) {
    const q = new URLSearchParams({
      fields: "id,name,language,status,category,components",
      limit: "100",
      ...(after ? { after } : {}),
    });
    const r = await graphReach(
      ctx,
      accessToken,
      "GET",
      `${encodeURIComponent(businessAccountId)}/message_templates?${q}`,
      unreachable,
    );
    if (!r.ok) {
      const e = sendErrorOf(r);
      if (e.retryable) throw e;
      throw new ChannelSetupError(
        `WhatsApp refused to list the templates of business account ${businessAccountId}. ${e.detail}`,
      );
    }
    const parsed = WaTemplatePage.safeParse(r.json);
    if (!parsed.success)
      throw new ChannelSendError("provider_error", "WhatsApp's list of templates could not be read.", false);
    for (const item of parsed.data.data) {
      const t = WaTemplate.safeParse(item);
      if (!t.success) continue; // a shape Parley does not know: skipped rather than failing the sync
      out.push({
        providerId: t.data.id ?? null,
        name: t.data.name,
        language: t.data.language,
        category: t.data.category ?? null,
        status: TEMPLATE_STATUS[t.data.status.toUpperCase()] ?? "DISABLED",
        components: t.data.components,
      });
    }
    // Graph gives `next` only while there are more pages; the cursor is followed on our own base URL.
    after = parsed.data.paging?.cursors?.after;
    if (!parsed.data.paging?.next || !after) break;
  }
  return out;
}
