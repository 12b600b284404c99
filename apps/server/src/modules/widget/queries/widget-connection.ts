import type { WidgetSettings } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { AppError, notFound } from "../../../lib/errors";

export interface WidgetConnection {
  id: string;
  workspace_id: string;
  name: string;
  enabled: boolean;
  settings: WidgetSettings;
  credentials_enc: string;
}

/** A widget connection by id: 404 for an unknown one, 403 while it is switched off. */
export async function widgetConnection(db: Queryable, id: string): Promise<WidgetConnection> {
  const [row] = await db.query<WidgetConnection>(
    "select id, workspace_id, name, enabled, settings, credentials_enc from channel_connections where id = $1 and type = 'widget'",
    [id],
  );
  if (!row) throw notFound("Chat widget");
  if (!row.enabled) throw new AppError("forbidden", "This chat is switched off.");
  return row;
}
