import type { Role } from "@parley/protocol";
import type { Queryable } from "../../db/client";
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

/** The read-notification policy, rules and facts a batch of read reports decides with. */
export interface ReadContext {
  policy: { read_receive: Audience | null; read_manage: Audience | null } | null;
  /** The workspace's rules and the authors' own. */
  rules: RuleRow[];
  /** The facts of each read message (none without any rule: nothing asks for them). */
  facts: Map<string, ReadFacts>;
}

/**
 * Everything a batch of read reports decides its notifications with, in one statement whatever the number
 * of reports and authors (a set-based decision per batch, not queries per report or per agent): the
 * workspace's policy, its rules and the authors' own rules, and — when there is any rule — the facts the
 * rules match on for every read message. A message whose conversation is gone (or not the workspace's) has
 * no facts.
 */
export async function loadReadContext(
  q: Queryable,
  workspaceId: string,
  authorIds: string[],
  reads: { messageId: string; conversationId: string }[],
): Promise<ReadContext> {
  const [row] = await q.query<{
    policy: ReadContext["policy"];
    rules: RuleRow[];
    facts: (ReadFacts & { message_id: string })[] | null;
  }>(
    `with r as (
       select id, owner_id, recipients, match, tag_id, connection_id, means, timing, delay_minutes
       from notification_rules where workspace_id = $1 and (owner_id is null or owner_id = any($2::uuid[])))
     select
       (select jsonb_build_object('read_receive', p.read_receive, 'read_manage', p.read_manage)
        from notification_policies p where p.workspace_id = $1) as policy,
       coalesce((select jsonb_agg(to_jsonb(r)) from r), '[]') as rules,
       case when exists (select 1 from r) then (
         select jsonb_agg(jsonb_build_object('message_id', k.mid, 'connection_id', c.connection_id,
           'important', exists (select 1 from important_messages i where i.message_id = k.mid),
           'tag_ids', coalesce((select array_agg(ct.tag_id) from contact_tags ct where ct.contact_id = c.contact_id), '{}')))
         from unnest($3::uuid[], $4::uuid[]) as k(mid, cid)
         join conversations c on c.id = k.cid and c.workspace_id = $1)
       end as facts`,
    [workspaceId, authorIds, reads.map((r) => r.messageId), reads.map((r) => r.conversationId)],
  );
  return {
    policy: row?.policy ?? null,
    rules: row?.rules ?? [],
    facts: new Map((row?.facts ?? []).map((f) => [f.message_id, f])),
  };
}

/**
 * How a "customer read my message" notification goes out (R304): the workspace's rules for this agent and
 * their own rules (when the policy lets them manage rules) that match the message; without any rule, the
 * agent's settings matrix. The policy can also keep an agent from receiving them at all.
 */
export function readPlans(
  context: ReadContext,
  member: Reader,
  messageId: string,
  settings: Settings,
): Plan[] {
  const { policy } = context;
  if (policy && !inAudience(policy.read_receive, member)) return [];
  const canManage = !policy || inAudience(policy.read_manage, member);
  const rules = context.rules.filter((r) =>
    r.owner_id ? r.owner_id === member.id && canManage : inAudience(r.recipients, member),
  );
  if (!rules.length) return [{ means: settings.matrix.customer_read }];
  const facts = context.facts.get(messageId);
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
