import { WIDGET_CAPABILITIES, type WidgetMessage, type WidgetSettings } from "@parley/protocol";
import type { AppContext } from "../../context";
import { iso } from "../../lib/time";
import { signedFileUrl } from "../../storage/signed-urls";
import type { MessageRow } from "../messages/present";

/** What the widget frame may know of its connection's settings. */
export const publicSettings = (s: WidgetSettings) => ({
  greeting: s.greeting,
  color: s.color,
  position: s.position,
  language: s.language,
  preChat: s.preChat,
  readReceipts: s.readReceipts,
  maxFileBytes: s.maxFileBytes,
  textMaxChars: WIDGET_CAPABILITIES.textMaxChars,
});

/** A message as the visitor sees it: their own carry back the client id they were sent with. */
export function presentForVisitor(
  ctx: AppContext,
  m: {
    id: string;
    seq: number;
    direction: string;
    text: string | null;
    attachments: MessageRow["attachments"];
    providerMessageId: string | null;
    authorName?: string | null;
    createdAt: string | Date;
  },
): WidgetMessage {
  const pid = m.providerMessageId;
  const slash = pid && m.direction === "inbound" ? pid.lastIndexOf("/") : -1;
  return {
    id: m.id,
    seq: Number(m.seq),
    from: m.direction === "inbound" ? "visitor" : "agent",
    text: m.text,
    attachments: m.attachments.map((a) => ({
      ...a,
      // The visitor has no session: files come through short-lived signed links.
      url: signedFileUrl(ctx.secrets, ctx.config.publicUrl, a.url, ctx.clock.now()),
    })),
    clientId: slash >= 0 ? pid!.slice(slash + 1) : null,
    authorName: m.authorName ?? null,
    createdAt: iso(m.createdAt)!,
  };
}
