import type { AppContext } from "../context";
import { egressFetch, egressPolicy } from "../lib/egress";
import { downloadToStore } from "../storage/files";
import { signedFileUrl } from "../storage/signed-urls";
import type { AdapterContext } from "./types";
import { webhookUrl } from "./webhook-url";

/** The context an adapter works with for one connection. */
export function adapterContext(
  ctx: AppContext,
  connection: { id: string; workspaceId: string; type: string },
): AdapterContext {
  const c = ctx.config;
  const policy = egressPolicy(c);
  return {
    db: ctx.db,
    limits: ctx.limits,
    blobs: ctx.blobs,
    secrets: ctx.secrets,
    endpoints: {
      telegramApiBase: c.TELEGRAM_API_BASE.replace(/\/$/, ""),
      graphApiBase: c.GRAPH_API_BASE.replace(/\/$/, ""),
      graphApiVersion: c.GRAPH_API_VERSION,
      instagramApiBase: c.INSTAGRAM_API_BASE.replace(/\/$/, ""),
      viberApiBase: c.VIBER_API_BASE.replace(/\/$/, ""),
      lineApiBase: c.LINE_API_BASE.replace(/\/$/, ""),
      lineDataApiBase: c.LINE_DATA_API_BASE.replace(/\/$/, ""),
      wechatApiBase: c.WECHAT_API_BASE.replace(/\/$/, ""),
      smsApiBase: c.SMS_API_BASE.replace(/\/$/, ""),
    },
    publicUrl: c.publicUrl,
    webhookUrl: webhookUrl(c.publicUrl, connection.type, connection.id),
    timeoutMs: c.OUTBOUND_TIMEOUT_MS,
    now: () => ctx.clock.now(),
    fileUrl: (url) => signedFileUrl(ctx.secrets, c.publicUrl, url, ctx.clock.now()),
    download: (req) =>
      downloadToStore(ctx.db, ctx.blobs, connection.workspaceId, req, c.OUTBOUND_TIMEOUT_MS, policy),
    fetchSupplied: (url, init) => egressFetch(policy, url, init),
  };
}
