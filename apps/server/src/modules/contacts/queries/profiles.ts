import type { ChannelType } from "@parley/protocol";
import type { Queryable } from "../../../db/client";
import { profileLink } from "../../../domain/profile-links";
import { notFound } from "../../../lib/errors";

export interface ProfileLink {
  connectionId: string;
  channel: ChannelType;
  connectionName: string;
  url: string;
}

/**
 * Links to the contact's profiles on the networks it wrote from (R211): one per identity whose channel has
 * profile addresses and whose known fields make one (`domain/profile-links.ts`). The username is the one the
 * provider's profile look-up last found for that identity, else the contact's nickname (Telegram sends it
 * with every message). 404 for a contact of another workspace.
 */
export async function contactProfiles(
  db: Queryable,
  workspaceId: string,
  contactId: string,
): Promise<ProfileLink[]> {
  const rows = await db.query<{
    found: boolean;
    connection_id: string | null;
    type: ChannelType | null;
    connection_name: string | null;
    external_id: string | null;
    nickname: string | null;
  }>(
    `select true as found, i.connection_id, cc.type, cc.name as connection_name, i.external_id,
            coalesce(nullif(i.profile->>'nickname', ''), c.nickname) as nickname
     from contacts c
     left join contact_identities i on i.contact_id = c.id and i.workspace_id = c.workspace_id
     left join channel_connections cc on cc.id = i.connection_id
     where c.workspace_id = $1 and c.id = $2
     order by i.created_at, i.id`,
    [workspaceId, contactId],
  );
  if (!rows.length) throw notFound("Contact");
  const out: ProfileLink[] = [];
  for (const r of rows) {
    if (!r.connection_id || !r.type || !r.external_id) continue;
    const url = profileLink(r.type, { externalId: r.external_id, nickname: r.nickname });
    if (url)
      out.push({
        connectionId: r.connection_id,
        channel: r.type,
        connectionName: r.connection_name ?? "",
        url,
      });
  }
  return out;
}
