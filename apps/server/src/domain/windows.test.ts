import { describe, expect, it } from "vitest";
import { messagingWindow, type WindowInput, type WindowSettings } from "./windows";

const now = new Date("2026-03-10T12:00:00Z");
const ago = (hours: number) => new Date(now.getTime() - hours * 3600_000);
const input = (over: Partial<WindowInput>): WindowInput => ({
  rule: "none",
  sender: "person",
  now,
  lastCustomerMessageAt: ago(1),
  sentSinceCustomerMessage: 0,
  settings: {},
  ...over,
});

describe("messaging windows", () => {
  it("allows nothing to a customer who unsubscribed, whatever the channel's window says", () => {
    for (const rule of ["none", "viber", "whatsapp"] as const) {
      expect(
        messagingWindow(input({ rule, lastCustomerMessageAt: ago(0.1), unsubscribedAt: ago(0.05) })),
      ).toMatchObject({
        allowed: false,
        only: "nothing",
        cause: "unsubscribed",
        closedAt: ago(0.05),
      });
    }
    expect(messagingWindow(input({ rule: "viber", unsubscribedAt: null }))).toMatchObject({ allowed: true });
  });

  it("SMS: never closes, but a STOP opts the customer out until START, and says so", () => {
    expect(messagingWindow(input({ rule: "sms", lastCustomerMessageAt: null }))).toMatchObject({
      allowed: true,
      mode: "free",
    });
    const out = messagingWindow(input({ rule: "sms", unsubscribedAt: ago(0.5) }));
    expect(out).toMatchObject({ allowed: false, only: "nothing", cause: "unsubscribed" });
    expect(out.allowed === false && out.reason).toMatch(/opted out of SMS .*reply START/);
  });

  it("never closes for Telegram, web chat and email", () => {
    expect(messagingWindow(input({ rule: "none", lastCustomerMessageAt: ago(24 * 400) }))).toMatchObject({
      allowed: true,
      mode: "free",
      closesAt: null,
    });
  });

  it("WhatsApp: free for 24 hours, then templates only", () => {
    expect(messagingWindow(input({ rule: "whatsapp", lastCustomerMessageAt: ago(23.9) }))).toMatchObject({
      allowed: true,
      mode: "free",
      closesAt: new Date("2026-03-10T12:06:00Z"),
    });
    const closed = messagingWindow(input({ rule: "whatsapp", lastCustomerMessageAt: ago(24) }));
    expect(closed).toMatchObject({ allowed: false, only: "template", closedAt: ago(0) });
    expect(messagingWindow(input({ rule: "whatsapp", lastCustomerMessageAt: null }))).toMatchObject({
      allowed: false,
      only: "template",
    });
  });

  it("Messenger and Instagram: 24 hours, 7 days with the human-agent tag when enabled, then closed", () => {
    for (const rule of ["messenger", "instagram"] as const) {
      expect(messagingWindow(input({ rule, lastCustomerMessageAt: ago(2) }))).toMatchObject({
        allowed: true,
        mode: "free",
      });
      expect(messagingWindow(input({ rule, lastCustomerMessageAt: ago(30) }))).toMatchObject({
        allowed: false,
      });
      expect(
        messagingWindow(input({ rule, lastCustomerMessageAt: ago(30), settings: { humanAgentTag: true } })),
      ).toMatchObject({
        allowed: true,
        mode: "human_agent_tag",
        closesAt: new Date(ago(30).getTime() + 7 * 24 * 3600_000),
      });
      expect(
        messagingWindow(
          input({ rule, lastCustomerMessageAt: ago(7 * 24 + 1), settings: { humanAgentTag: true } }),
        ),
      ).toMatchObject({
        allowed: false,
      });
    }
    expect(messagingWindow(input({ rule: "messenger", lastCustomerMessageAt: ago(200) }))).toMatchObject({
      only: "message_tag",
    });
    expect(messagingWindow(input({ rule: "instagram", lastCustomerMessageAt: ago(200) }))).toMatchObject({
      only: "nothing",
    });
  });

  it("Messenger and Instagram for automation (bots, rules, automatic replies): 24 hours only, never the human-agent tag", () => {
    const tag = { humanAgentTag: true };
    for (const rule of ["messenger", "instagram"] as const) {
      const auto = (hours: number, settings: WindowSettings = tag) =>
        messagingWindow(input({ rule, sender: "automation", lastCustomerMessageAt: ago(hours), settings }));
      // Inside the 24 hours nothing differs from a person's message.
      expect(auto(23.9)).toEqual(
        messagingWindow(input({ rule, lastCustomerMessageAt: ago(23.9), settings: tag })),
      );
      expect(auto(23.9)).toMatchObject({
        allowed: true,
        mode: "free",
        closesAt: new Date(ago(23.9).getTime() + 24 * 3600_000),
      });
      // From 24 hours on the window is closed for automation, although a person could still answer with the tag.
      for (const hours of [24, 25, 72, 7 * 24 - 1]) {
        const closed = auto(hours);
        expect(closed, `${rule} ${hours} h`).toMatchObject({
          allowed: false,
          only: rule === "messenger" ? "message_tag" : "nothing",
          closedAt: ago(hours - 24),
        });
        expect(closed.allowed === false && closed.reason).toMatch(
          /24-hour window .* closed .*human-agent tag is for a person's reply only.*an agent can still answer/,
        );
        expect(
          messagingWindow(
            input({ rule, sender: "person", lastCustomerMessageAt: ago(hours), settings: tag }),
          ),
        ).toMatchObject({ allowed: true, mode: "human_agent_tag" });
      }
      // Past the 7 days, or without the tag, it is closed as for a person, and it closed at 24 hours.
      expect(auto(7 * 24 + 1)).toMatchObject({ allowed: false, closedAt: ago(7 * 24 + 1 - 24) });
      const untagged = auto(30, {});
      expect(untagged).toMatchObject({ allowed: false, closedAt: ago(6) });
      expect(untagged.allowed === false && untagged.reason).toMatch(/tag \(7 days\) is not enabled/);
      expect(auto(0, tag)).toMatchObject({ allowed: true });
      expect(
        messagingWindow(input({ rule, sender: "automation", lastCustomerMessageAt: null, settings: tag })),
      ).toMatchObject({
        allowed: false,
      });
    }
  });

  it("automation has the same window as a person on every other channel", () => {
    for (const rule of ["none", "sms", "whatsapp", "viber", "wechat"] as const) {
      for (const hours of [1, 23.9, 25, 49, 24 * 8]) {
        const at = { rule, lastCustomerMessageAt: ago(hours), settings: { humanAgentTag: true } };
        expect(messagingWindow(input({ ...at, sender: "automation" })), `${rule} ${hours} h`).toEqual(
          messagingWindow(input({ ...at, sender: "person" })),
        );
      }
    }
  });

  it("Viber: free session for 24 hours, then chatbot-initiated messages against the quota", () => {
    expect(messagingWindow(input({ rule: "viber", lastCustomerMessageAt: ago(1) }))).toMatchObject({
      allowed: true,
      mode: "free",
    });
    expect(messagingWindow(input({ rule: "viber", lastCustomerMessageAt: ago(48) }))).toMatchObject({
      allowed: true,
      mode: "paid",
    });
  });

  it("WeChat: 48 hours and a set number of messages, reset when the customer writes", () => {
    expect(messagingWindow(input({ rule: "wechat", sentSinceCustomerMessage: 19 }))).toMatchObject({
      allowed: true,
      remaining: 1,
    });
    expect(messagingWindow(input({ rule: "wechat", sentSinceCustomerMessage: 20 }))).toMatchObject({
      allowed: false,
      only: "nothing",
    });
    expect(
      messagingWindow(
        input({ rule: "wechat", sentSinceCustomerMessage: 4, settings: { wechatMaxMessages: 5 } }),
      ),
    ).toMatchObject({
      remaining: 1,
    });
    expect(messagingWindow(input({ rule: "wechat", lastCustomerMessageAt: ago(49) }))).toMatchObject({
      allowed: false,
    });
  });
});
