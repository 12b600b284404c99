import type { ChannelCapabilities } from "@parley/protocol";

/**
 * Messaging windows (R502, R503): what may be sent to a customer now, from the time of the customer's last
 * message. One policy for every channel; the channel's capability record names its rule.
 */
export type WindowRule = ChannelCapabilities["window"];

export interface WindowSettings {
  /** Messenger / Instagram: the connection may use the HUMAN_AGENT tag (approved by Meta) for 7 days. */
  humanAgentTag?: boolean;
  /** WeChat: outgoing messages allowed per customer message (the sources say 20; WeChat's current rule is 5). */
  wechatMaxMessages?: number;
}

/**
 * Who writes the message: a person (an agent) or automation (a bot, an automation rule, the outside-hours
 * reply: any message whose author is not a user). Meta's HUMAN_AGENT tag is for a person's answer only.
 */
export type WindowSender = "person" | "automation";

export interface WindowInput {
  rule: WindowRule;
  sender: WindowSender;
  now: Date;
  lastCustomerMessageAt: Date | null;
  /** Outgoing messages since the customer's last message (WeChat counts them). */
  sentSinceCustomerMessage: number;
  settings: WindowSettings;
  /** When the customer unsubscribed from the business (Viber; SMS: STOP), if they have not come back since. */
  unsubscribedAt?: Date | null;
}

export type WindowVerdict =
  | {
      allowed: true;
      /** free: any message; human_agent_tag: sent with the HUMAN_AGENT tag; paid: Viber chatbot-initiated (quota). */
      mode: "free" | "human_agent_tag" | "paid";
      /** When this mode ends (null: never). */
      closesAt: Date | null;
      /** WeChat: messages left in the window. */
      remaining: number | null;
    }
  | {
      allowed: false;
      /** What is still possible: an approved template (WhatsApp), a message tag (Messenger), or nothing. */
      only: "template" | "message_tag" | "nothing";
      closedAt: Date | null;
      reason: string;
      /** Set when the customer unsubscribed: no window of the channel applies until they return. */
      cause?: "unsubscribed";
    };

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export function messagingWindow(input: WindowInput): WindowVerdict {
  const { rule, now, lastCustomerMessageAt: last } = input;
  const since = last ? now.getTime() - last.getTime() : Number.POSITIVE_INFINITY;
  const at = (ms: number) => (last ? new Date(last.getTime() + ms) : null);
  if (input.unsubscribedAt) {
    return {
      allowed: false,
      only: "nothing",
      closedAt: input.unsubscribedAt,
      reason:
        rule === "sms"
          ? "The customer opted out of SMS from this number (they replied STOP): nothing can be sent until they reply START."
          : "The customer unsubscribed from the business: nothing can be sent until they subscribe again or write.",
      cause: "unsubscribed",
    };
  }
  const free = (ms: number): WindowVerdict => ({
    allowed: true,
    mode: "free",
    closesAt: at(ms),
    remaining: null,
  });

  switch (rule) {
    case "none":
    case "sms":
      return { allowed: true, mode: "free", closesAt: null, remaining: null };
    case "whatsapp":
      if (since < DAY) return free(DAY);
      return {
        allowed: false,
        only: "template",
        closedAt: at(DAY),
        reason: last
          ? "WhatsApp's 24-hour window since the customer's last message has closed: only an approved template can be sent."
          : "The customer has not written yet: WhatsApp allows only an approved template.",
      };
    case "messenger":
    case "instagram": {
      const name = rule === "messenger" ? "Messenger" : "Instagram";
      if (since < DAY) return free(DAY);
      // The tag lets a person answer for 7 days; automated content under it breaks Meta's policy, so
      // automation has the standard 24 hours only.
      const tagged = input.settings.humanAgentTag && input.sender === "person";
      if (since < 7 * DAY && tagged) {
        return { allowed: true, mode: "human_agent_tag", closesAt: at(7 * DAY), remaining: null };
      }
      const tagNote = !input.settings.humanAgentTag
        ? "the human-agent tag (7 days) is not enabled for this connection"
        : since >= 7 * DAY
          ? "the 7 days of the human-agent tag have passed too"
          : "the human-agent tag is for a person's reply only: automated messages (bots, rules, automatic replies) cannot be sent now, an agent can still answer";
      return {
        allowed: false,
        only: rule === "messenger" ? "message_tag" : "nothing",
        closedAt: at(since < 7 * DAY || !tagged ? DAY : 7 * DAY),
        reason: last
          ? `${name}'s 24-hour window since the customer's last message has closed and ${tagNote}.`
          : `The customer has not written on ${name} yet.`,
      };
    }
    case "viber":
      // After the free 24-hour session Viber still delivers, as chatbot-initiated messages billed to the quota.
      if (since < DAY) return free(DAY);
      return { allowed: true, mode: "paid", closesAt: null, remaining: null };
    case "wechat": {
      const max = input.settings.wechatMaxMessages ?? 20;
      const remaining = max - input.sentSinceCustomerMessage;
      if (since < 48 * HOUR && remaining > 0) {
        return { allowed: true, mode: "free", closesAt: at(48 * HOUR), remaining };
      }
      return {
        allowed: false,
        only: "nothing",
        closedAt: at(48 * HOUR),
        reason:
          since < 48 * HOUR
            ? `WeChat allows ${max} messages per customer message; wait for the customer to write.`
            : "WeChat's 48-hour window since the customer's last message has closed.",
      };
    }
  }
}
