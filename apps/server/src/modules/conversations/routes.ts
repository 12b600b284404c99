import type { AppContext } from "../../context";
import type { App } from "../../http/types";
import { draftRoutes } from "./routes/drafts";
import { feedRoutes } from "./routes/feed";
import { handlingRoutes } from "./routes/handling";
import { inboxRoutes } from "./routes/inbox";
import { readStateRoutes } from "./routes/read-state";

/** Conversations: the inbox, the feed, handling, read state and drafts. */
export async function conversationRoutes(app: App, ctx: AppContext) {
  inboxRoutes(app, ctx);
  feedRoutes(app, ctx);
  handlingRoutes(app, ctx);
  readStateRoutes(app, ctx);
  draftRoutes(app, ctx);
}
