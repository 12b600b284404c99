import { expect } from "vitest";
import type { Clock } from "../lib/time";
import { digits } from "./comments";
import { type MetaFake, metaWebhook } from "./fakes/meta";
import { newWorkspace, unique } from "./harness";
import type { TestEnv } from "./use-test-server";

/**
 * A new workspace with a Messenger page talking to the Meta fake (`settings` as the connection takes them),
 * customers who write to it by signed webhooks at `clock`'s time, and the messages the fake's Send API got.
 */
export async function messengerPage(
  t: TestEnv,
  fake: MetaFake,
  clock: Clock,
  settings?: Record<string, unknown>,
) {
  const { owner } = await newWorkspace(t);
  const pageId = digits();
  const token = unique("page-token");
  const appSecret = unique("app-secret");
  fake.addAccount(token, { platform: "messenger", accountId: pageId, host: "graph" });
  const r = await owner.post("/api/connections", {
    type: "messenger",
    name: unique("fb"),
    ...(settings ? { settings } : {}),
    credentials: { pageId, pageAccessToken: token, appSecret, verifyToken: "verify-me-please" },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const url = `${t.url}/api/webhooks/messenger/${r.body.connection.id}`;
  /** A new customer writes now (by `clock`): answers their PSID and the conversation's id. */
  const customer = async (text: string) => {
    const psid = digits();
    const at = clock.now().getTime();
    const event = {
      sender: { id: psid },
      recipient: { id: pageId },
      timestamp: at,
      message: { mid: unique("m_in"), text },
    };
    const res = await fake.webhook(url, metaWebhook.page(pageId, [event], at), { appSecret });
    expect(res.status).toBe(200);
    return { psid, conversationId: res.body.results[0].conversationId as string };
  };
  /** The messages (not sender actions such as mark_seen) the fake Send API received for a customer. */
  const sentTo = (psid: string) => fake.sends(psid).filter((s) => s.body?.message);
  return { owner, customer, sentTo };
}
