import { z } from "zod";
import { adapterContext } from "../../channels/context";
import { ChannelSendError, type ContactProfile } from "../../channels/types";
import { type AppContext, type Tx, transact } from "../../context";
import type { Queryable } from "../../db/client";
import { PermanentFailure, RetryLater } from "../../jobs/queue";
import { REMOVE_BLOBS_JOB } from "../../storage/remove-job";
import {
  accessOf,
  CONVERSATION_SELECT,
  type ConversationRow,
  conversationFrom,
  presentConversation,
} from "../conversations/present";
import { emitContactsUpdated } from "./events";

export const PROFILE_JOB = "contact.profile";

const Payload = z.object({ identityId: z.uuid(), workspaceId: z.uuid() });

/** What the last look-up found, kept on the identity (`contact_identities.profile`). */
interface StoredProfile {
  name: string | null;
  nickname: string | null;
  /** Parley's own copy of the picture (`/api/files/<id>`). */
  avatarUrl: string | null;
  /** The provider's picture address without its expiring signature: a new one is downloaded only when it changes. */
  avatarSource: string | null;
}

const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

/**
 * In the ingest transaction: asks for a profile look-up of these senders where the channel can look profiles
 * up and none was asked for in the last day (a new sender, or a profile older than a day). The request time is
 * written at once, so at most one look-up a day is made per identity however many messages arrive; a failed
 * look-up is retried by its job, and once given up, asked for again by a message a day later.
 */
export async function queueProfileLookups(
  tx: Tx,
  ctx: AppContext,
  all: { connectionId: string; type?: string; externalId: string }[],
) {
  const types = ctx.channels.types().filter((type) => ctx.channels.get(type).profile);
  // Senders on channels without look-ups (most webhooks) cost no statement.
  const senders = all.filter((s) => s.type === undefined || types.includes(s.type as (typeof types)[number]));
  if (senders.length === 0) return;
  // Identities another transaction is asking for right now are skipped (it asks for them): no waiting.
  const due = await tx.q.query<{ id: string; workspace_id: string }>(
    `with due as (
       select i.id from unnest($1::uuid[], $2::text[]) as k(connection_id, external_id)
       join contact_identities i on i.connection_id = k.connection_id and i.external_id = k.external_id
       join channel_connections cc on cc.id = i.connection_id
       where cc.type = any($3::text[])
         and (i.profile_requested_at is null or i.profile_requested_at <= $4::timestamptz - interval '1 day')
       order by i.id for update of i skip locked)
     update contact_identities i set profile_requested_at = $4 from due where i.id = due.id
     returning i.id, i.workspace_id`,
    [senders.map((s) => s.connectionId), senders.map((s) => s.externalId), types, tx.now],
  );
  for (const row of due) {
    await tx.enqueue(
      PROFILE_JOB,
      { identityId: row.id, workspaceId: row.workspace_id },
      {
        workspaceId: row.workspace_id,
        runAt: tx.now,
        idempotencyKey: `contact-profile:${row.id}:${tx.now.getTime()}`,
      },
    );
  }
}

/**
 * The look-up: asks the channel for the sender's profile and applies it to the contact. A field of the contact
 * is written only while it is empty or still holds what the previous look-up put there: a name, nickname or
 * picture a person set is never overwritten (clearing it lets the next look-up fill it again). The picture is
 * downloaded into Parley's storage (provider links expire); one that could not be fetched keeps the old one.
 * Conversations of the contact are announced with `conversation.updated` so open inboxes show the name at once.
 */
export function registerProfileJob(ctx: AppContext) {
  ctx.jobs.register({
    type: PROFILE_JOB,
    payload: Payload,
    maxAttempts: 6,
    // 1, 2, 4, 8, 16 minutes.
    backoffMs: (attempt) => Math.min(2 ** (attempt - 1) * 60_000, 60 * 60_000),
    async run({ identityId, workspaceId }) {
      const [row] = await ctx.db.query<{
        external_id: string;
        profile: StoredProfile | null;
        connection_id: string;
        type: string;
        credentials_enc: string;
        settings: unknown;
        enabled: boolean;
      }>(
        `select i.external_id, i.profile, cc.id as connection_id, cc.type, cc.credentials_enc, cc.settings, cc.enabled
         from contact_identities i join channel_connections cc on cc.id = i.connection_id
         where i.id = $1 and i.workspace_id = $2`,
        [identityId, workspaceId],
      );
      if (!row?.enabled) return;
      const adapter = ctx.channels.get(row.type);
      if (!adapter.profile) return;
      const connection = { id: row.connection_id, workspaceId, type: row.type };
      const actx = adapterContext(ctx, connection);
      let found: ContactProfile | null;
      try {
        found = await adapter.profile(
          { ...connection, credentials: ctx.secrets.open(row.credentials_enc), settings: row.settings },
          row.external_id,
          actx,
        );
      } catch (err) {
        if (err instanceof ChannelSendError) {
          if (err.retryAfterMs) throw new RetryLater(err.retryAfterMs, err.detail);
          // A refusal no retry changes (no permission, no such user, a bad token): asked again a day later.
          if (!err.retryable) throw new PermanentFailure(err.detail);
        }
        throw err;
      }
      const previous = row.profile;
      let avatarUrl = previous?.avatarUrl ?? null;
      let avatarSource = previous?.avatarSource ?? null;
      if (found?.avatarUrl) {
        const source = found.avatarUrl.split("?")[0]!.slice(0, 2048);
        if (source !== avatarSource || !avatarUrl) {
          const file = await actx.download({ url: found.avatarUrl, maxBytes: AVATAR_MAX_BYTES });
          if (!file.error && file.url && file.mimeType.startsWith("image/")) {
            avatarUrl = file.url;
            avatarSource = source;
          } else if (!file.error && file.url) {
            // Not a picture: not kept.
            const keys = await dropFiles(ctx.db, workspaceId, [file.url]);
            for (const key of keys) await ctx.blobs.remove(key).catch(() => undefined);
          }
        }
      } else if (found) {
        avatarUrl = null;
        avatarSource = null;
      }
      const next: StoredProfile = {
        name: found?.name ?? null,
        nickname: found?.nickname ?? null,
        avatarUrl,
        avatarSource,
      };
      await transact(ctx, (tx) => applyProfile(tx, workspaceId, identityId, previous, next));
    },
  });
}

async function applyProfile(
  tx: Tx,
  workspaceId: string,
  identityId: string,
  previous: StoredProfile | null,
  next: StoredProfile,
) {
  const [contact] = await tx.q.query<{
    id: string;
    name: string | null;
    nickname: string | null;
    avatar_url: string | null;
  }>(
    `select ct.id, ct.name, ct.nickname, ct.avatar_url
     from contact_identities i join contacts ct on ct.id = i.contact_id
     where i.id = $1 and i.workspace_id = $2 for update of ct, i`,
    [identityId, workspaceId],
  );
  if (!contact) return;
  // Empty, or still what the last look-up wrote: the look-up's to change. Anything else a person set.
  const ours = (current: string | null, before: string | null | undefined) =>
    current === null || current === "" || current === (before ?? null);
  const name = ours(contact.name, previous?.name) ? next.name : contact.name;
  const nickname = ours(contact.nickname, previous?.nickname) ? next.nickname : contact.nickname;
  const avatar = ours(contact.avatar_url, previous?.avatarUrl) ? next.avatarUrl : contact.avatar_url;
  const taken = avatar === next.avatarUrl;
  await tx.q.query(
    `update contact_identities set profile = $2, profile_fetched_at = $3,
       display_name = coalesce($4, $5, display_name)
     where id = $1`,
    [
      identityId,
      JSON.stringify(taken ? next : { ...next, avatarUrl: null, avatarSource: null }),
      tx.now,
      next.name,
      next.nickname,
    ],
  );
  const changed = name !== contact.name || nickname !== contact.nickname || avatar !== contact.avatar_url;
  if (changed)
    await tx.q.query(
      "update contacts set name = $2, nickname = $3, avatar_url = $4, updated_at = $5 where id = $1",
      [contact.id, name, nickname, avatar, tx.now],
    );
  // Pictures this look-up or the last one stored and no contact shows (a person set another) are not kept.
  const unshown = [taken ? null : next.avatarUrl, previous?.avatarUrl ?? null].filter(
    (u): u is string => u !== null && u !== avatar,
  );
  const keys = await dropFiles(tx.q, workspaceId, unshown);
  if (keys.length) await tx.enqueue(REMOVE_BLOBS_JOB, { keys }, { workspaceId });
  if (!changed) return;
  await emitContactsUpdated(tx, workspaceId, [contact.id]);
  const conversations = await tx.q.query<ConversationRow>(
    `${CONVERSATION_SELECT} ${conversationFrom()} where c.workspace_id = $1 and c.contact_id = $2`,
    [workspaceId, contact.id],
  );
  for (const c of conversations) {
    tx.emit(workspaceId, {
      type: "conversation.updated",
      conversationId: c.id,
      conversation: presentConversation(c),
      audience: { conversation: accessOf(c) },
    });
  }
}

/**
 * Deletes the rows of stored files by their `/api/files/<id>` URLs unless a contact shows one; returns the
 * storage keys whose bytes are to go.
 */
async function dropFiles(q: Queryable, workspaceId: string, urls: string[]): Promise<string[]> {
  const ids = urls.map((u) => u.match(/^\/api\/files\/([0-9a-f-]{36})$/)?.[1]).filter(Boolean);
  if (ids.length === 0) return [];
  const gone = await q.query<{ storage_key: string }>(
    `delete from files f where f.workspace_id = $1 and f.id = any($2::uuid[])
       and not exists (select 1 from contacts ct where ct.avatar_url = '/api/files/' || f.id::text)
     returning f.storage_key`,
    [workspaceId, ids],
  );
  return gone.map((g) => g.storage_key);
}
