import type { z } from "zod";
import type { LinkedRecord, LinkedRecordConfig } from "./schema";

export interface ConfigRow {
  id: string;
  workspace_id: string;
  connection_id: string | null;
  team_id: string | null;
  enabled: boolean;
  method: string;
  url: string;
  header_names: string[];
  headers_enc: string | null;
  body_template: string;
  id_path: string;
  url_path: string | null;
  updated_at: Date;
}
export const CONFIG_COLUMNS =
  "id, workspace_id, connection_id, team_id, enabled, method, url, header_names, headers_enc, body_template, id_path, url_path, updated_at";

/** Header values stay on the server: the answer names the headers only. */
export const presentConfig = (r: ConfigRow): z.infer<typeof LinkedRecordConfig> => ({
  id: r.id,
  connectionId: r.connection_id,
  teamId: r.team_id,
  enabled: r.enabled,
  method: r.method,
  url: r.url,
  headerNames: r.header_names,
  bodyTemplate: r.body_template,
  idPath: r.id_path,
  urlPath: r.url_path,
  updatedAt: new Date(r.updated_at).toISOString(),
});

export interface RecordRow {
  id: string;
  conversation_id: string;
  contact_id: string;
  status: "pending" | "created" | "failed";
  external_id: string | null;
  external_url: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}
export const RECORD_COLUMNS =
  "id, conversation_id, contact_id, status, external_id, external_url, attempts, last_error, created_at, updated_at";

export const presentRecord = (r: RecordRow): z.infer<typeof LinkedRecord> => ({
  id: r.id,
  conversationId: r.conversation_id,
  contactId: r.contact_id,
  status: r.status,
  externalId: r.external_id,
  externalUrl: r.external_url,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});
