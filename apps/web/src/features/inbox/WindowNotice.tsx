import { Alert, Button, Group, Text } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { CAPABILITIES } from "@parley/protocol/capabilities";
import { IconClock, IconCoins, IconLock, IconTemplate, IconUserCheck } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { keys } from "../../api/queries";
import { fullDateTime } from "../../lib/format";

export type ConversationWindow = NonNullable<Conversation["window"]>;

/** "3 h 12 min", "2 d 4 h", "45 min" in the agent's language; rounded up to the minute. */
export function formatDuration(ms: number, t: TFunction): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  // Up to a day reads as hours and minutes ("24 h 0 min"); longer windows as days and hours.
  if (minutes > 1440)
    return t("duration.dh", { d: Math.floor(minutes / 1440), h: Math.floor((minutes % 1440) / 60) });
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h > 0) return t("duration.hm", { h, m });
  return t("duration.m", { m });
}

/** The current time, re-read every minute (the countdown of the messaging window). */
function useMinuteClock() {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/**
 * What the channel's messaging window allows now (R502), from the conversation detail: a countdown while
 * free text is allowed, the human-agent tag, the paid Viber mode, or why nothing but a template may be sent.
 */
export function WindowNotice({
  conversation,
  onSendTemplate,
}: {
  conversation: Conversation;
  onSendTemplate: (() => void) | null;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const now = useMinuteClock();
  const w = conversation.window;
  const closesAt = w?.closesAt ? new Date(w.closesAt).getTime() : null;
  const expired = w?.allowed && closesAt !== null && closesAt <= now;
  // When the window runs out while the conversation is open, ask the server what is allowed now.
  useEffect(() => {
    if (!w?.allowed || closesAt === null) return;
    const left = closesAt - Date.now();
    if (left > 2_147_000_000) return;
    const timer = setTimeout(
      () => void qc.invalidateQueries({ queryKey: keys.conversation(conversation.id) }),
      Math.max(0, left) + 1000,
    );
    return () => clearTimeout(timer);
  }, [w?.allowed, closesAt, qc, conversation.id]);

  // A customer message re-opens the window: re-read it when one arrives.
  const lastCustomer = conversation.lastCustomerMessageAt;
  const seen = useRef(lastCustomer);
  useEffect(() => {
    if (seen.current === lastCustomer) return;
    seen.current = lastCustomer;
    void qc.invalidateQueries({ queryKey: keys.conversation(conversation.id) });
  }, [lastCustomer, qc, conversation.id]);

  if (!w) return null;
  if (!w.allowed) {
    const only = w.only ?? "nothing";
    const unsubscribed = w.cause === "unsubscribed";
    // SMS: the customer opted out with STOP and only START opts them back in.
    const sms = unsubscribed && !!CAPABILITIES[conversation.connection.type]?.sms;
    return (
      <Alert
        color="orange"
        variant="light"
        py={8}
        mb={6}
        icon={<IconLock size={18} />}
        title={
          sms ? t("sms.optedOutTitle") : unsubscribed ? t("window.unsubscribedTitle") : t("window.closed")
        }
        data-testid="window-notice"
        data-state={unsubscribed ? "unsubscribed" : "closed"}
        data-only={only}
      >
        <Text size="sm">
          {sms ? t("sms.optedOut") : unsubscribed ? t("window.unsubscribed") : t(`window.only.${only}`)}
        </Text>
        {w.reason ? (
          <Text size="xs" c="dimmed" mt={2} data-testid="window-reason">
            {w.reason}
          </Text>
        ) : null}
        {only === "template" && onSendTemplate ? (
          <Group mt={8}>
            <Button
              size="xs"
              leftSection={<IconTemplate size={14} />}
              onClick={onSendTemplate}
              data-testid="send-template"
            >
              {t("window.sendTemplate")}
            </Button>
          </Group>
        ) : null}
      </Alert>
    );
  }
  if (expired) return null;
  const line = (icon: ReactNode, text: string, state: string) => (
    <Group gap={6} mb={6} wrap="nowrap" data-testid="window-notice" data-state={state}>
      {icon}
      <Text size="xs" c="dimmed">
        {text}
      </Text>
    </Group>
  );
  if (w.mode === "human_agent_tag" && w.closesAt)
    return line(
      <IconUserCheck size={14} color="var(--mantine-color-blue-6)" />,
      t("window.humanAgentTag", { time: fullDateTime(w.closesAt, i18n.language) }),
      "human_agent_tag",
    );
  if (w.mode === "paid")
    return line(
      <IconCoins size={14} color="var(--mantine-color-orange-6)" />,
      w.remaining !== null ? t("window.paidRemaining", { count: w.remaining }) : t("window.paid"),
      "paid",
    );
  if (w.mode === "free" && closesAt !== null)
    return line(
      <IconClock size={14} color="var(--mantine-color-teal-6)" />,
      t("window.freeFor", { duration: formatDuration(closesAt - now, t) }),
      "free",
    );
  return null;
}
