import { ActionIcon, Group, Paper, Text, TextInput, Tooltip } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconChevronDown, IconChevronUp, IconSearch, IconX } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { client, data } from "../../api/client";
import { type Feed, keys, loadOlder } from "../../api/queries";
import { dayStart, readFilters } from "./filters";
import { toolKeys } from "./inbox-tools-api";

/** The element of a message in the feed, by the id the feed puts on each message. */
function messageElement(messageId: string) {
  return document.querySelector<HTMLElement>(
    `[data-testid="feed"] [data-message-id="${CSS.escape(messageId)}"]`,
  );
}

const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

/**
 * Opened from a list filtered by a conversation date range (R102): scroll the feed to the first message of
 * that range, loading older pages until the feed reaches back before the range's start.
 */
function useJumpToDay(conversationId: string) {
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const { from, to } = readFilters(params);
  useEffect(() => {
    if (!from) return;
    const start = Date.parse(dayStart(from));
    const end = Date.parse(dayStart(to || from, true));
    let cancelled = false;
    const jump = async () => {
      const deadline = Date.now() + 15_000;
      while (!cancelled && Date.now() < deadline) {
        const feed = qc.getQueryData<Feed>(keys.feed(conversationId));
        const first = feed?.messages[0];
        if (!feed) {
          await frame();
          continue;
        }
        // Older pages may still hold earlier messages of the range.
        if (feed.hasMore && first && Date.parse(first.createdAt) >= start) {
          await loadOlder(qc, conversationId);
          continue;
        }
        const target = feed.messages.find((m) => {
          const at = Date.parse(m.createdAt);
          return at >= start && at < end;
        });
        if (!target) return;
        const el = messageElement(target.id);
        if (el) {
          el.scrollIntoView({ block: "start" });
          el.dataset.dateMatch = "true";
          return;
        }
        await frame();
      }
    };
    void jump();
    return () => {
      cancelled = true;
    };
  }, [conversationId, from, to, qc]);
}

/**
 * Search inside one conversation (R104): the server returns the matching messages' ids; next/previous
 * scroll the feed to them, loading older pages of the feed when the match is further back.
 */
export function ConversationSearch({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  useJumpToDay(conversationId);
  // Opened from a search of the list: start with the same words.
  const listQuery = params.get("q") ?? "";
  const [open, setOpen] = useState(Boolean(listQuery));
  const [text, setText] = useState(listQuery);
  const [q] = useDebouncedValue(text.trim(), 300);
  const [current, setCurrent] = useState(0);
  const hits = useQuery({
    queryKey: toolKeys.convSearch(conversationId, q),
    queryFn: () =>
      data(
        client.GET("/api/conversations/{id}/search", {
          params: { path: { id: conversationId }, query: { q } },
        }),
      ).then((r) => r.hits),
    enabled: open && q.length > 0,
    staleTime: 10_000,
  });
  const list = hits.data ?? [];

  // Newest match first, as a reader of a chat expects.
  // biome-ignore lint/correctness/useExhaustiveDependencies: restart at the newest match for new results
  useEffect(() => setCurrent(list.length ? list.length - 1 : 0), [hits.data]);

  const target = list[current];
  useEffect(() => {
    if (!target) return;
    let cancelled = false;
    const reveal = async () => {
      for (let i = 0; i < 50 && !cancelled; i++) {
        const el = messageElement(target.id);
        if (el) {
          el.scrollIntoView({ block: "center" });
          el.dataset.searchMatch = "true";
          el.style.outline = "2px solid var(--mantine-color-yellow-5)";
          el.style.borderRadius = "12px";
          setTimeout(() => {
            el.style.outline = "";
            delete el.dataset.searchMatch;
          }, 2000);
          return;
        }
        const feed = qc.getQueryData<Feed>(keys.feed(conversationId));
        const first = feed?.messages[0];
        if (feed?.hasMore && first && first.seq > target.seq) await loadOlder(qc, conversationId);
        // Let the feed render what was loaded.
        await frame();
      }
    };
    void reveal();
    return () => {
      cancelled = true;
    };
  }, [target, qc, conversationId]);

  if (!open)
    return (
      <Tooltip label={t("convSearch.open")}>
        <ActionIcon
          pos="absolute"
          top={8}
          right={16}
          style={{ zIndex: 5 }}
          variant="default"
          radius="xl"
          aria-label={t("convSearch.open")}
          onClick={() => setOpen(true)}
          data-testid="conv-search-open"
        >
          <IconSearch size={16} />
        </ActionIcon>
      </Tooltip>
    );
  const step = (d: 1 | -1) => list.length && setCurrent((c) => (c + d + list.length) % list.length);
  return (
    <Paper pos="absolute" top={8} right={16} style={{ zIndex: 5 }} shadow="sm" p={4} withBorder radius="md">
      <Group gap={4} wrap="nowrap">
        <TextInput
          size="xs"
          w={180}
          autoFocus
          placeholder={t("convSearch.placeholder")}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") step(e.shiftKey ? 1 : -1);
            if (e.key === "Escape") setOpen(false);
          }}
          data-testid="conv-search-input"
        />
        <Text size="xs" c="dimmed" miw={56} ta="center" data-testid="conv-search-position">
          {q && hits.data
            ? list.length
              ? t("convSearch.position", { current: list.length - current, total: list.length })
              : t("convSearch.none")
            : ""}
        </Text>
        <ActionIcon
          size="sm"
          variant="subtle"
          aria-label={t("convSearch.previous")}
          disabled={!list.length}
          onClick={() => step(-1)}
          data-testid="conv-search-previous"
        >
          <IconChevronUp size={14} />
        </ActionIcon>
        <ActionIcon
          size="sm"
          variant="subtle"
          aria-label={t("convSearch.next")}
          disabled={!list.length}
          onClick={() => step(1)}
          data-testid="conv-search-next"
        >
          <IconChevronDown size={14} />
        </ActionIcon>
        <ActionIcon
          size="sm"
          variant="subtle"
          color="gray"
          aria-label={t("convSearch.close")}
          onClick={() => {
            setOpen(false);
            setText("");
          }}
        >
          <IconX size={14} />
        </ActionIcon>
      </Group>
    </Paper>
  );
}
