import type { Queryable } from "../../../db/client";
import type { Actor } from "../../../domain/permissions";
import { notFound } from "../../../lib/errors";
import { conversationForActor } from "../../conversations/access";
import { CONFIG_COLUMNS, type ConfigRow, presentRecord, RECORD_COLUMNS, type RecordRow } from "../present";

/** The workspace's templates, connections' first. */
export const listConfigs = (q: Queryable, workspaceId: string) =>
  q.query<ConfigRow>(
    `select ${CONFIG_COLUMNS} from linked_record_configs where workspace_id = $1
     order by connection_id is null, created_at, id`,
    [workspaceId],
  );

/** A conversation's linked records (the caller must be able to read it), and whether it has a template. */
export async function conversationRecords(q: Queryable, actor: Actor, conversationId: string) {
  const { row } = await conversationForActor(q, actor, conversationId);
  const records = await q.query<RecordRow>(
    `select ${RECORD_COLUMNS} from linked_records where conversation_id = $1 order by created_at, id`,
    [row.id],
  );
  const [cfg] = await q.query(
    `select 1 from linked_record_configs
     where enabled and workspace_id = $1 and (connection_id = $2 or team_id = $3) limit 1`,
    [actor.workspaceId, row.connection_id, row.team_id],
  );
  return { records: records.map(presentRecord), configured: !!cfg };
}

/** A contact's linked records, newest first (contacts are the workspace's, like the contact card). */
export async function contactRecords(q: Queryable, workspaceId: string, contactId: string) {
  const [c] = await q.query("select 1 from contacts where workspace_id = $1 and id = $2", [
    workspaceId,
    contactId,
  ]);
  if (!c) throw notFound("Contact");
  const rows = await q.query<RecordRow>(
    `select ${RECORD_COLUMNS} from linked_records where workspace_id = $1 and contact_id = $2
     order by created_at desc, id limit 100`,
    [workspaceId, contactId],
  );
  return rows.map(presentRecord);
}
