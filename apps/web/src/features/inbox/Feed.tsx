import { Box, Button, Center, Divider, Group, Loader, Paper, Stack, Text, Tooltip } from "@mantine/core";
import type { Message, MessageReaction } from "@parley/protocol";
import { IconNote } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import i18next, { type TFunction } from "i18next";
import { Fragment, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Feed as FeedData, loadOlder, useUsers } from "../../api/queries";
import { dayKey, dayLabel, fullDateTime, timeOfDay } from "../../lib/format";
import { markFeed } from "../../lib/marks";
import { useReached } from "../../lib/reach";
import { botEventText, useBotNames } from "../bots/bots-api";
import { CommentMarks } from "../comments/CommentParts";
import {
  isMarkable,
  MessageActions,
  MessageAttachments,
  QuotedMessage,
  useImportantIds,
} from "../conversation-tools/MessageParts";
import { MessageReceipts } from "../receipts/MessageReceipts";
import { SeenBy } from "../receipts/SeenBy";
import { snoozeTime } from "./ImportantSnooze";
import "./feed.css";

/** The feed (R202): customer and agent messages, notes, system lines, day separators. */
export function Feed({
  conversationId,
  feed,
  loading,
}: {
  conversationId: string;
  feed: FeedData | undefined;
  loading: boolean;
}) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const users = useUsers();
  const bots = useBotNames();
  const botName = (id: string | null) =>
    bots.data?.bots.find((b) => b.id === id)?.name ?? t("bots.feed.unknownBot");
  const scrollRef = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const lastId = useRef<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const messages = feed?.messages ?? [];
  const important = useImportantIds(conversationId, messages.some(isMarkable));
  const newest = messages.at(-1)?.id ?? null;

  // Stay at the bottom when a message arrives, unless the agent scrolled up to read history.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || newest === lastId.current) return;
    const first = lastId.current === null;
    lastId.current = newest;
    if (first || nearBottom.current) el.scrollTop = el.scrollHeight;
  }, [newest]);

  // Shown: a mark per conversation for the Performance API (lib/marks.ts), on each switch to it.
  const hasMessages = messages.length > 0;
  useLayoutEffect(() => {
    if (hasMessages) markFeed(conversationId);
  }, [conversationId, hasMessages]);

  if (loading)
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  const older = async () => {
    const el = scrollRef.current;
    const before = el ? el.scrollHeight - el.scrollTop : 0;
    setLoadingOlder(true);
    try {
      await loadOlder(qc, conversationId);
    } finally {
      setLoadingOlder(false);
    }
    requestAnimationFrame(() => {
      if (el) el.scrollTop = el.scrollHeight - before;
    });
  };
  const nameOf = (id: unknown) =>
    (typeof id === "string" && users.data?.find((u) => u.id === id)?.name) || t("feed.someone");
  return (
    <Box
      ref={scrollRef}
      h="100%"
      px="lg"
      py="md"
      style={{ overflowY: "auto" }}
      data-testid="feed"
      role="log"
      aria-label={t("account.a11y.feed")}
      onScroll={(e) => {
        const el = e.currentTarget;
        nearBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      {feed?.hasMore ? (
        <Center mb="md">
          <Button variant="subtle" size="xs" loading={loadingOlder} onClick={older}>
            {t("conversation.loadOlder")}
          </Button>
        </Center>
      ) : null}
      {!messages.length ? (
        <Center h="100%">
          <Text c="dimmed" size="sm">
            {t("conversation.empty")}
          </Text>
        </Center>
      ) : null}
      <Stack gap={6}>
        {messages.map((m, i) => {
          const prev = messages[i - 1];
          const newDay = !prev || dayKey(prev.createdAt) !== dayKey(m.createdAt);
          return (
            <Fragment key={m.id}>
              {newDay ? (
                <Divider
                  my="sm"
                  labelPosition="center"
                  data-testid="day-separator"
                  label={
                    <Text size="xs" c="dimmed" fw={600}>
                      {dayLabel(m.createdAt, i18n.language, t)}
                    </Text>
                  }
                />
              ) : null}
              {m.kind === "event" ? (
                <div className="parley-feed-event" data-testid="system-event" data-message-id={m.id}>
                  {eventText(t, m, nameOf)} · {timeOfDay(m.createdAt, i18n.language)}
                </div>
              ) : (
                <Bubble
                  m={m}
                  author={
                    m.authorType === "user"
                      ? nameOf(m.authorId)
                      : m.authorType === "bot"
                        ? botName(m.authorId)
                        : null
                  }
                  quoted={m.quotedMessageId ? messages.find((x) => x.id === m.quotedMessageId) : undefined}
                  important={important.includes(m.id)}
                  t={t}
                  lang={i18n.language}
                />
              )}
            </Fragment>
          );
        })}
      </Stack>
    </Box>
  );
}

export function eventText(t: TFunction, m: Message, nameOf: (id: unknown) => string): string {
  const e = (m.event ?? {}) as Record<string, unknown>;
  const by = e.byUserId ? nameOf(e.byUserId) : t("feed.system");
  switch (e.kind) {
    case "assigned":
      return e.to === e.byUserId
        ? t("events.assignedSelf", { by })
        : t("events.assigned", { by, to: nameOf(e.to) });
    case "unassigned":
      return t("events.unassigned", { by });
    case "operator_added":
      return t("events.operator_added", { by, user: nameOf(e.userId) });
    case "operator_left":
      return t("events.operator_left", { user: nameOf(e.userId) });
    case "reopened":
      return e.byContact ? t("agentDay.reopenedByCustomer") : t("events.reopened", { by });
    case "closed":
      return t("events.closed", { by });
    case "bot_assigned":
    case "handed_over":
      return botEventText(t, e, by);
    case "marked_important":
      return t("importantSnooze.events.marked_important", { by });
    case "unmarked_important":
      return t("importantSnooze.events.unmarked_important", { by });
    case "snoozed":
      return t("importantSnooze.events.snoozed", {
        by,
        time: typeof e.until === "string" ? snoozeTime(e.until, i18next.language) : "",
      });
    case "unsnoozed":
      return e.reason === "customer"
        ? t("importantSnooze.events.wokeByCustomer")
        : e.reason === "manual"
          ? t("importantSnooze.events.unsnoozed", { by })
          : t("importantSnooze.events.woke");
    default: {
      const to = e.to === "open" || e.to === "in_progress" || e.to === "closed" ? e.to : "open";
      return t("events.status_changed", { by, status: t(`status.${to}`) });
    }
  }
}

/**
 * One message of the feed. It is drawn with plain elements and the classes of `feed.css`, not layout
 * components: a switch of conversation draws every message of the new feed, and each component is work.
 */
function Bubble({
  m,
  author,
  quoted,
  important,
  t,
  lang,
}: {
  m: Message;
  author: string | null;
  quoted?: Message;
  important: boolean;
  t: TFunction;
  lang: string;
}) {
  // The message's tooltips and menu are drawn once the pointer or the focus reaches it (lib/reach.ts).
  const { reached, ...reach } = useReached<HTMLDivElement>();
  const note = m.kind === "note";
  const ours = m.direction !== "inbound";
  return (
    <div
      {...reach}
      className="parley-msg"
      data-ours={ours || undefined}
      data-testid="message"
      data-message-id={m.id}
      data-kind={m.kind}
      data-direction={m.direction}
    >
      <div className="parley-msg-column">
        <div className="parley-bubble">
          {note || (ours && author) ? (
            <div className="parley-msg-author">
              {note ? <IconNote size={13} color="var(--mantine-color-yellow-8)" /> : null}
              <span>{note ? `${t("feed.note")} · ${author ?? t("feed.agent")}` : author}</span>
            </div>
          ) : null}
          {m.comment ? <CommentMarks m={m} /> : null}
          {m.quotedMessageId ? <QuotedMessage quoted={quoted} missing /> : null}
          <div className="parley-msg-text" data-testid="message-text">
            {m.text}
          </div>
          {m.attachments.length ? <MessageAttachments attachments={m.attachments} /> : null}
          <div className="parley-msg-foot">
            <MessageActions m={m} canQuote={m.kind === "message"} reached={reached} important={important} />
            <span className="parley-msg-time" title={fullDateTime(m.createdAt, lang)}>
              {timeOfDay(m.createdAt, lang)}
            </span>
            {m.direction === "outbound" && m.delivery ? (
              <MessageReceipts m={m} conversationId={m.conversationId} />
            ) : null}
          </div>
          {m.direction === "inbound" ? <SeenBy m={m} conversationId={m.conversationId} /> : null}
        </div>
        {m.reactions?.length ? <Reactions reactions={m.reactions} /> : null}
      </div>
    </div>
  );
}

/** The customer's reactions (Messenger, Instagram), under the bubble; the time and who in the tooltip. */
function Reactions({ reactions }: { reactions: MessageReaction[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Group gap={4} mt={-6} px={6} data-testid="message-reactions">
      {reactions.map((r) => {
        const label = t("feed.customerReacted", { emoji: r.emoji, time: fullDateTime(r.at, i18n.language) });
        return (
          <Tooltip key={`${r.authorType}:${r.emoji}:${r.at}`} label={label} withArrow>
            <Paper
              radius="xl"
              px={6}
              withBorder
              shadow="xs"
              aria-label={label}
              data-testid="message-reaction"
            >
              <Text size="sm" lh={1.4}>
                {r.emoji}
              </Text>
            </Paper>
          </Tooltip>
        );
      })}
    </Group>
  );
}
