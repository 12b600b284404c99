import webpush from "web-push";
import { z } from "zod";
import type { AppContext } from "../../context";
import { transact } from "../../context";
import type { Queryable } from "../../db/client";
import { PermanentFailure, RetryLater } from "../../jobs/queue";
import {
  briefReason,
  describeFailure,
  EgressRefused,
  egressFetch,
  egressPolicy,
  readText,
} from "../../lib/egress";
import { createFailureNotice, JOB_PUSH } from "./create";
import { words } from "./email";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

let cached: { db: unknown; keys: VapidKeys } | null = null;

/** The server's VAPID key pair: generated on first use, kept in the database (private key sealed). */
export async function vapidKeys(ctx: AppContext): Promise<VapidKeys> {
  if (cached?.db === ctx.db) return cached.keys;
  const read = async (q: Queryable) =>
    (
      await q.query<{ public_key: string; private_key_sealed: string }>(
        "select public_key, private_key_sealed from vapid_keys where id = 1",
      )
    )[0];
  let row = await read(ctx.db);
  if (!row) {
    const fresh = webpush.generateVAPIDKeys();
    // Two processes starting together: the first insert wins and both use its keys.
    await ctx.db.query(
      "insert into vapid_keys (id, public_key, private_key_sealed) values (1, $1, $2) on conflict (id) do nothing",
      [fresh.publicKey, ctx.secrets.seal(fresh.privateKey)],
    );
    row = await read(ctx.db);
  }
  const keys = { publicKey: row!.public_key, privateKey: ctx.secrets.open<string>(row!.private_key_sealed) };
  cached = { db: ctx.db, keys };
  return keys;
}

const subject = (ctx: AppContext) =>
  ctx.config.VAPID_SUBJECT ??
  (ctx.config.publicUrl.startsWith("https://")
    ? ctx.config.publicUrl
    : "mailto:notifications@parley.invalid");

interface DeliveryRow {
  id: number;
  user_id: string;
  workspace_id: string;
  status: string;
  kind: string;
  title: string;
  body: string;
  notification_id: string;
  conversation_id: string | null;
  subscription_id: string | null;
  endpoint: string | null;
  p256dh: string | null;
  auth: string | null;
  locale: string;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). `web-push`
 * builds the encrypted request; we send it ourselves so the timeout and the answer are ours to handle.
 */
export function registerPushJob(ctx: AppContext) {
  ctx.jobs.register({
    type: JOB_PUSH,
    payload: z.object({ deliveryId: z.number().int() }),
    async run({ deliveryId }) {
      const [d] = await ctx.db.query<DeliveryRow>(
        `select d.id, d.user_id, n.workspace_id, d.status, n.kind, n.title, n.body, n.id as notification_id,
           n.conversation_id, d.subscription_id, s.endpoint, s.p256dh, s.auth, u.locale
         from notification_deliveries d join notifications n on n.id = d.notification_id
         join users u on u.id = d.user_id
         left join push_subscriptions s on s.id = d.subscription_id
         where d.id = $1`,
        [deliveryId],
      );
      if (!d || d.status === "sent" || d.status === "failed") return;
      if (!d.endpoint || !d.p256dh || !d.auth) {
        await mark(deliveryId, "failed", "the browser subscription was removed");
        return;
      }
      const keys = await vapidKeys(ctx);
      const payload = JSON.stringify({
        id: d.notification_id,
        kind: d.kind,
        // The system notification is shown as is: its title in the agent's language.
        title: [words(d.locale).kinds[d.kind], d.title].filter(Boolean).join(" — "),
        body: d.body,
        url: d.conversation_id
          ? `/inbox/${d.conversation_id}`
          : d.kind === "security_alert"
            ? "/settings/alerts"
            : "/inbox",
      });
      const req = webpush.generateRequestDetails(
        { endpoint: d.endpoint, keys: { p256dh: d.p256dh, auth: d.auth } },
        payload,
        {
          vapidDetails: { subject: subject(ctx), publicKey: keys.publicKey, privateKey: keys.privateKey },
          TTL: 24 * 3600,
          contentEncoding: "aes128gcm",
          urgency: "high",
        },
      );
      // The endpoint was given by a browser (or by whoever holds an agent's session): https only, through the
      // egress guard, and nothing of the answer but its status and a short reason is kept.
      let res: Response;
      try {
        res = await egressFetch(egressPolicy(ctx.config), req.endpoint, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: req.body ? new Uint8Array(req.body) : null,
          signal: AbortSignal.timeout(ctx.config.OUTBOUND_TIMEOUT_MS),
          httpsOnly: true,
        });
      } catch (err) {
        if (err instanceof EgressRefused) throw new PermanentFailure(`push endpoint refused: ${err.reason}`);
        throw new Error(`could not reach the push service: ${describeFailure(err)}`);
      }
      const reason = briefReason(await readText(res));
      const answered = `${res.status}${res.statusText ? ` ${res.statusText}` : ""}${reason ? `: ${reason}` : ""}`;
      if (res.ok) {
        await mark(deliveryId, "sent", null);
        return;
      }
      if (res.status === 404 || res.status === 410) {
        // The browser unsubscribed or the subscription expired: it will never work again.
        await ctx.db.query("delete from push_subscriptions where id = $1", [d.subscription_id]);
        await mark(deliveryId, "failed", `push endpoint gone (${res.status})`);
        await notice(
          d,
          `The push service answered ${res.status}: this browser's subscription is gone and was removed. Turn browser notifications on again there.`,
          `gone:${d.subscription_id}`,
        );
        return;
      }
      if (res.status === 429) {
        const after = Number(res.headers.get("retry-after"));
        throw new RetryLater(
          Number.isFinite(after) && after > 0 ? after * 1000 : 60_000,
          `push rate limited (${answered})`,
        );
      }
      if (res.status >= 400 && res.status < 500) throw new PermanentFailure(`push refused (${answered})`);
      throw new Error(`push service error (${answered})`);
    },
    async onDead({ deliveryId }, err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      await mark(deliveryId, "failed", message);
      const [d] = await ctx.db.query<DeliveryRow>(
        `select d.user_id, n.workspace_id from notification_deliveries d join notifications n on n.id = d.notification_id where d.id = $1`,
        [deliveryId],
      );
      if (d) await notice(d, message, `dead:${deliveryId}`);
    },
  });

  async function mark(id: number, status: "sent" | "failed", error: string | null) {
    await ctx.db.query(
      "update notification_deliveries set status = $2, error = $3, sent_at = case when $2 = 'sent' then $4 else sent_at end where id = $1",
      [id, status, error, ctx.clock.now()],
    );
  }

  async function notice(d: Pick<DeliveryRow, "user_id" | "workspace_id">, error: string, key: string) {
    await transact(ctx, (tx) =>
      createFailureNotice(ctx, tx, {
        workspaceId: d.workspace_id,
        userId: d.user_id,
        means: "push",
        error,
        key,
      }),
    );
  }
}
