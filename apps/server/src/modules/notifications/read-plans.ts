import type { Role } from "@parley/protocol";
import type { Prepared, Queryable } from "../../db/client";
import { type Audience, anyMeans, inAudience, type Means, type Settings } from "./settings";

/** Who a read notification is for, as the rules see them. */
interface Reader {
  id: string;
  role: Role;
  teamIds: string[];
}

interface RuleRow {
  id: string;
  owner_id: string | null;
  recipients: Audience | null;
  match: "all" | "important" | "tag" | "channel";
  tag_id: string | null;
  connection_id: string | null;
  means: string[];
  timing: "immediate" | "delay" | "daily" | "weekly";
  delay_minutes: number;
}

const toMeans = (list: string[]): Means => ({
  inApp: list.includes("inApp"),
  push: list.includes("push"),
  email: list.includes("email"),
  sms: list.includes("sms"),
});

export type Plan = { means: Means; emailMode?: "daily" | "weekly"; delayMs?: number };

/** What read rules match on: the message's channel, whether it is important, its contact's tags. */
interface ReadFacts {
  connection_id: string;
  important: boolean;
  tag_ids: string[];
}

/**
 * The facts of every read message of a batch with one statement, asked for the first time a rule needs them
 * (a batch of read reports decides its notifications set-based, not with a query per report). A message whose
 * conversation is gone (or not the workspace's) has none.
 */
export function batchFacts(
  q: Queryable,
  workspaceId: string,
  reads: { messageId: string; conversationId: string }[],
) {
  let loaded: Promise<Map<string, ReadFacts>> | null = null;
  return async (messageId: string) => {
    loaded ??= q
      .query<ReadFacts & { message_id: string }>(
        `select k.mid as message_id, c.connection_id,
           exists (select 1 from important_messages i where i.message_id = k.mid) as important,
           coalesce((select array_agg(ct.tag_id) from contact_tags ct where ct.contact_id = c.contact_id), '{}') as tag_ids
         from unnest($1::uuid[], $2::uuid[]) as k(mid, cid)
         join conversations c on c.id = k.cid and c.workspace_id = $3`,
        [reads.map((r) => r.messageId), reads.map((r) => r.conversationId), workspaceId],
      )
      .then((rows) => new Map(rows.map((r) => [r.message_id, r])));
    return (await loaded).get(messageId);
  };
}

/**
 * How a "customer read my message" notification goes out (R304): the workspace's rules for this agent and
 * their own rules (when the policy lets them manage rules) that match the message; without any rule, the
 * agent's settings matrix. The policy can also keep an agent from receiving them at all.
 */
/** A reader that runs each distinct statement (text and parameters) once and answers repeats from memory. */
export function sameAnswers(q: Queryable): Queryable {
  const seen = new Map<string, Promise<unknown[]>>();
  return {
    query<T>(sql: string | Prepared, params: unknown[] = []) {
      const key = JSON.stringify([sql, params]);
      let answer = seen.get(key);
      if (!answer) {
        answer = q.query<unknown>(sql, params);
        seen.set(key, answer);
      }
      return answer as Promise<T[]>;
    },
  };
}

export async function readPlans(
  q: Queryable,
  workspaceId: string,
  member: Reader,
  messageId: string,
  factsOf: (messageId: string) => Promise<ReadFacts | undefined>,
  settings: Settings,
): Promise<Plan[]> {
  const [policy] = await q.query<{ read_receive: Audience | null; read_manage: Audience | null }>(
    "select read_receive, read_manage from notification_policies where workspace_id = $1",
    [workspaceId],
  );
  if (policy && !inAudience(policy.read_receive, member)) return [];
  const canManage = !policy || inAudience(policy.read_manage, member);
  const rules = (
    await q.query<RuleRow>(
      `select id, owner_id, recipients, match, tag_id, connection_id, means, timing, delay_minutes
       from notification_rules where workspace_id = $1 and (owner_id is null or owner_id = $2)`,
      [workspaceId, member.id],
    )
  ).filter((r) => (r.owner_id ? canManage : inAudience(r.recipients, member)));
  if (!rules.length) return [{ means: settings.matrix.customer_read }];
  const facts = await factsOf(messageId);
  if (!facts) return [];
  const matches = rules.filter(
    (r) =>
      r.match === "all" ||
      (r.match === "important" && facts.important) ||
      (r.match === "tag" && r.tag_id !== null && facts.tag_ids.includes(r.tag_id)) ||
      (r.match === "channel" && r.connection_id === facts.connection_id),
  );
  const plans: Plan[] = [];
  const now = toMeans(matches.filter((r) => r.timing === "immediate").flatMap((r) => r.means));
  // Digests are emails and SMS; a digest rule's other means apply at once.
  for (const r of matches.filter((r) => r.timing === "daily" || r.timing === "weekly")) {
    const m = toMeans(r.means);
    if (m.email || m.sms)
      plans.push({
        means: { inApp: false, push: false, email: m.email, sms: m.sms },
        emailMode: r.timing as "daily",
      });
    now.inApp ||= m.inApp;
    now.push ||= m.push;
  }
  if (anyMeans(now)) plans.unshift({ means: now });
  for (const r of matches.filter((r) => r.timing === "delay")) {
    plans.push({ means: toMeans(r.means), delayMs: r.delay_minutes * 60_000 });
  }
  return plans;
}
