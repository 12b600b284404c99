import { ALL_PERMISSIONS, type RuleAction } from "@parley/protocol";
import { type AppContext, transact } from "../../../context";
import type { Actor } from "../../../domain/permissions";
import { egressPolicy } from "../../../lib/egress/agents";
import { egressPost } from "../../../lib/egress/post";
import { describeFailure } from "../../../lib/egress/responses";
import { handToBot } from "../../bots/commands/assign-bot";
import { tagContact, untagContact } from "../../contacts/commands/tag-contact";
import { assignConversation } from "../../conversations/assign";
import { changeStatus } from "../../conversations/change-status";
import { setImportant } from "../../conversations/commands/set-important";
import { snoozeConversation } from "../../conversations/commands/snooze";
import { nextOpeningAfter } from "../../conversations/snooze-time";
import { HoursCache } from "../../hours/api";
import { sendMessage } from "../../messages/send-message";
import { sendTemplate } from "../../templates/commands/send-template";
import type { RuleRow } from "../present";
import type { Target } from "../snapshot";

/** How long a rule's webhook may take before it counts as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** A rule acts as itself: the actor's id is the rule's, with every right inside its own workspace. */
export const ruleActor = (rule: Pick<RuleRow, "id" | "workspace_id">): Actor => ({
  userId: rule.id,
  workspaceId: rule.workspace_id,
  role: "owner",
  teamIds: [],
  permissions: ALL_PERMISSIONS,
});

/**
 * One action of a rule on a conversation, through Parley's ordinary commands (their checks, feed lines and
 * events). Throws when it cannot be done; the caller records why.
 */
export async function applyAction(
  ctx: AppContext,
  rule: RuleRow,
  target: Target,
  action: RuleAction,
  /** The occurrence and the action's place in the rule: names what this action writes. */
  actionKey: string,
) {
  const actor = ruleActor(rule);
  switch (action.type) {
    case "assign":
      await assignConversation(ctx, actor, target.id, {
        assigneeId: action.userId === undefined ? target.assigneeId : action.userId,
        ...(action.teamId !== undefined ? { teamId: action.teamId } : {}),
      });
      return;
    case "add_tag":
      await tagContact(ctx, target.workspaceId, target.contactId, action.tagId, false);
      return;
    case "remove_tag":
      // Only when the contact has the tag: taking off a tag it lacks is nothing to do, not a failure.
      if (target.snapshot.contactTagIds.includes(action.tagId))
        await untagContact(ctx, target.workspaceId, target.contactId, action.tagId);
      return;
    case "reply":
    case "note": {
      const text = action.type === "note" ? action.text : await cannedText(ctx, rule, action.cannedReplyId);
      await sendMessage(ctx, actor, {
        conversationId: target.id,
        text,
        attachments: [],
        quotedMessageId: null,
        // Written once per rule, occurrence and action (the author is the rule) even if the job runs again.
        clientId: `rule:${actionKey}`,
        note: action.type === "note",
        byRule: true,
      });
      return;
    }
    case "template":
      // Refused when the template is not one of the conversation's connection (a rule for several channels
      // logs the others as failed): limit such a rule to that connection.
      await sendTemplate(ctx, actor, target.id, {
        templateId: action.templateId,
        variables: action.variables,
        headerFile: null,
        clientId: `rule:${actionKey}`,
        byRule: true,
      });
      return;
    case "assign_bot":
      await transact(ctx, async (tx) => {
        await tx.q.query("select 1 from conversations where workspace_id = $1 and id = $2 for update", [
          target.workspaceId,
          target.id,
        ]);
        await handToBot(tx, {
          workspaceId: target.workspaceId,
          conversationId: target.id,
          botId: action.botId,
          byUserId: rule.id,
        });
      });
      return;
    case "close":
      await changeStatus(ctx, actor, target.id, "closed");
      return;
    case "mark_important":
      await setImportant(ctx, actor, target.id, true);
      return;
    case "snooze":
      await snoozeConversation(ctx, actor, target.id, { until: await snoozeUntil(ctx, target, action) });
      return;
    case "webhook":
      // Called by its own job (rules.webhook): a slow or failing address never holds up the other actions.
      return;
  }
}

/** A rule's snooze: for its minutes, or until the next opening of the team's (or workspace's) business hours. */
async function snoozeUntil(
  ctx: AppContext,
  target: Target,
  action: Extract<RuleAction, { type: "snooze" }>,
): Promise<Date> {
  const now = ctx.clock.now();
  if (action.until === "for") return new Date(now.getTime() + (action.minutes ?? 60) * 60_000);
  const schedule = await new HoursCache(ctx.db).schedule(target.workspaceId, target.teamId);
  const at = nextOpeningAfter(schedule, now);
  if (!at) throw new Error("there are no business hours to wait for (set them, or snooze for a time)");
  return at;
}

async function cannedText(ctx: AppContext, rule: RuleRow, id: string) {
  const [row] = await ctx.db.query<{ text: string }>(
    "select text from canned_replies where id = $1 and workspace_id = $2",
    [id, rule.workspace_id],
  );
  if (!row) throw new Error("the canned reply no longer exists");
  return row.text;
}

/** POSTs the rule and the conversation as JSON through the egress guard; a non-2xx answer is a failure. */
export async function callWebhook(
  ctx: AppContext,
  rule: Pick<RuleRow, "id" | "name">,
  target: Target,
  url: string,
) {
  const body = JSON.stringify({
    rule: { id: rule.id, name: rule.name },
    conversation: { id: target.id, number: target.number, contactId: target.contactId },
    workspaceId: target.workspaceId,
    at: ctx.clock.now().toISOString(),
  });
  let status: number;
  try {
    ({ status } = await egressPost(egressPolicy(ctx.config), url, {
      headers: { "content-type": "application/json", "user-agent": "Parley-Rules/1" },
      body,
      timeoutMs: WEBHOOK_TIMEOUT_MS,
      excerptBytes: 256,
    }));
  } catch (err) {
    throw new Error(describeFailure(err));
  }
  if (status < 200 || status >= 300) throw new Error(`the address answered ${status}`);
}
