import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { messageInState } from "../../testing/delivery";
import { eventually } from "../../testing/eventually";
import { type MetaFake, startMetaFake } from "../../testing/fakes/meta";
import { type Client, unique } from "../../testing/harness";
import { messengerPage } from "../../testing/messenger-page";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";
import { startWebhookReceiver } from "../../testing/webhook-receiver";
import { withToken } from "../api-tokens/test-helpers";
import { sweepNoReply } from "../rules/commands/no-reply-sweep";

/**
 * Messenger's human-agent tag (CHANNELS.md §4.5) lets a person answer for 7 days after the customer's last
 * message; automation (a bot, a rule, an automatic reply) has the 24-hour window only, when the message is
 * written and again when the send job sends it.
 */
const HOUR = 3600_000;
const clock = new MovableClock();
let fake: MetaFake;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  fake = await startMetaFake();
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await fake.close();
  await hook.close();
});

const t = useTestServer(() => ({
  clock,
  env: { GRAPH_API_BASE: fake.graphUrl, GRAPH_API_VERSION: "v21.0", INSTAGRAM_API_BASE: fake.instagramUrl },
}));

/** Time passes for Parley and for Meta alike. */
const advance = (ms: number) => {
  clock.advance(ms);
  fake.advance(ms);
};

/** A workspace with a Messenger page that has the Human Agent feature, and a bot. */
async function setup() {
  const page = await messengerPage(t, fake, clock, { humanAgentTag: true });
  const bot = await page.owner.post("/api/bots", { name: unique("Bot"), webhookUrl: hook.url });
  expect(bot.status, JSON.stringify(bot.body)).toBe(201);
  return { ...page, botId: bot.body.bot.id as string, botToken: bot.body.token as string };
}

const handToBot = async (owner: Client, conversationId: string, botId: string) => {
  const r = await owner.put(`/api/conversations/${conversationId}/bot`, { botId });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

const messageRow = async (id: string) =>
  (
    await t.db.query<{
      delivery_state: string;
      failure_reason: string | null;
      failure_detail: string | null;
    }>("select delivery_state, failure_reason, failure_detail from messages where id = $1", [id])
  )[0]!;

const runsOf = async (owner: Client, ruleId: string) =>
  (await owner.get(`/api/rules/${ruleId}/runs`)).body.runs as {
    outcome: string;
    reason: string | null;
    conversationId: string;
  }[];

const AUTOMATION_CLOSED = /24-hour window .* closed .*human-agent tag is for a person's reply only/;

describe("Messenger's human-agent tag is for people, not automation", () => {
  it("25 hours after the customer wrote, a rule's and a bot's message are refused with the window's reason; a person's reply still goes out tagged HUMAN_AGENT", async () => {
    const { owner, customer, sentTo, botId, botToken } = await setup();
    const canned = (
      await owner.post("/api/canned-replies", {
        shortcut: unique("r"),
        title: "Later",
        text: "Automated answer",
      })
    ).body.cannedReply;
    const rule = (
      await owner.post("/api/rules", {
        name: unique("rule"),
        trigger: "no_reply",
        minutes: 25 * 60,
        actions: [{ type: "reply", cannedReplyId: canned.id }],
      })
    ).body.rule as { id: string };
    const byPerson = await customer("where is my order?");
    const byBot = await customer("anyone there?");

    advance(25 * HOUR);
    await sweepNoReply(t.server.ctx);
    // The rule ran on both waiting conversations; its reply was refused with the window's reason each time.
    const runs = await eventually(async () => {
      const list = await runsOf(owner, rule.id);
      return list.length === 2 && list.every((r) => r.outcome === "failed") ? list : null;
    });
    for (const run of runs) expect(run.reason).toMatch(AUTOMATION_CLOSED);

    await handToBot(owner, byBot.conversationId, botId);
    const bot = await withToken(
      t.url,
      botToken,
      "POST",
      `/api/conversations/${byBot.conversationId}/messages`,
      {
        text: "A bot's answer on the next day",
      },
    );
    expect(bot.status).toBe(422);
    expect(bot.body.error.code).toBe("window_closed");
    expect(bot.body.error.message).toMatch(AUTOMATION_CLOSED);

    // What an agent's composer shows is unchanged: the tag's 7 days.
    const detail = await owner.get(`/api/conversations/${byPerson.conversationId}`);
    expect(detail.body.conversation.window).toMatchObject({ allowed: true, mode: "human_agent_tag" });
    const reply = await owner.post(`/api/conversations/${byPerson.conversationId}/messages`, {
      text: "A person's answer",
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    await messageInState(owner, byPerson.conversationId, reply.body.message.id, "sent");
    await jobsSettled(t.server);

    expect(sentTo(byPerson.psid).map((r) => r.body)).toEqual([
      expect.objectContaining({
        messaging_type: "MESSAGE_TAG",
        tag: "HUMAN_AGENT",
        message: expect.objectContaining({ text: "A person's answer" }),
      }),
    ]);
    expect(sentTo(byBot.psid)).toEqual([]);
    const automated = await t.db.query(
      "select 1 from messages where conversation_id = any($1::uuid[]) and direction = 'outbound' and author_type = 'bot'",
      [[byPerson.conversationId, byBot.conversationId]],
    );
    expect(automated).toEqual([]);
  });

  it("a bot's or a rule's message accepted at 23 hours that is sent after 24 hours fails with the window's reason, unsent; a person's is sent tagged", async () => {
    const { owner, customer, sentTo, botId, botToken } = await setup();
    const canned = (
      await owner.post("/api/canned-replies", { shortcut: unique("r"), title: "Soon", text: "Rule's answer" })
    ).body.cannedReply;
    const rule = (
      await owner.post("/api/rules", {
        name: unique("rule"),
        trigger: "no_reply",
        minutes: 23 * 60,
        actions: [{ type: "reply", cannedReplyId: canned.id }],
      })
    ).body.rule as { id: string };
    const forRule = await customer("first");
    const forBot = await customer("second");
    const forPerson = await customer("third");

    advance(23 * HOUR);
    // Nothing is sent for now: the messages are accepted and wait in the queue.
    await t.server.ctx.jobs.stop();
    let restarted = false;
    try {
      await handToBot(owner, forBot.conversationId, botId);
      const bot = await withToken(
        t.url,
        botToken,
        "POST",
        `/api/conversations/${forBot.conversationId}/messages`,
        { text: "Bot's answer" },
      );
      expect(bot.status, JSON.stringify(bot.body)).toBe(201);
      await sweepNoReply(t.server.ctx);
      // The rule answers the waiting conversations (the bot's has its answer): its message to the first is
      // the one watched; the one to the third is queued before the person's reply there.
      const ruleMessages = await t.db.query<{ id: string; conversation_id: string }>(
        "select id, conversation_id from messages where author_type = 'bot' and author_id = $1 and kind = 'message'",
        [rule.id],
      );
      expect(ruleMessages.map((m) => m.conversation_id).sort()).toEqual(
        [forRule.conversationId, forPerson.conversationId].sort(),
      );
      const person = await owner.post(`/api/conversations/${forPerson.conversationId}/messages`, {
        text: "Person's answer",
      });
      expect(person.status, JSON.stringify(person.body)).toBe(201);

      // The send job runs only after the 24 hours have passed.
      advance(1.5 * HOUR);
      t.server.ctx.jobs.start();
      restarted = true;
      await jobsSettled(t.server);

      for (const id of [bot.body.message.id, ...ruleMessages.map((m) => m.id)]) {
        const m = await messageRow(id);
        expect(m).toMatchObject({ delivery_state: "failed", failure_reason: "window_closed" });
        expect(m.failure_detail).toMatch(AUTOMATION_CLOSED);
      }
      await messageInState(owner, forPerson.conversationId, person.body.message.id, "sent");
      // Sending the rule's message again is refused for the same reason: it is still automated content.
      const ruleMessage = ruleMessages.find((m) => m.conversation_id === forRule.conversationId)!.id;
      const retried = await owner.post(
        `/api/conversations/${forRule.conversationId}/messages/${ruleMessage}/retry`,
      );
      expect(retried.status).toBe(422);
      expect(retried.body.error).toMatchObject({
        code: "window_closed",
        message: expect.stringMatching(AUTOMATION_CLOSED),
      });
      await jobsSettled(t.server);
      expect(sentTo(forRule.psid)).toEqual([]);
      expect(sentTo(forBot.psid)).toEqual([]);
      // The person's reply went out tagged; the rule's message before it in that conversation did not go out.
      expect(sentTo(forPerson.psid).map((r) => r.body)).toEqual([
        expect.objectContaining({
          tag: "HUMAN_AGENT",
          message: expect.objectContaining({ text: "Person's answer" }),
        }),
      ]);
    } finally {
      if (!restarted) t.server.ctx.jobs.start();
    }
  });
});
