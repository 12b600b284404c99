import { Badge, Box, Center, Checkbox, Group, Loader, Stack, Text, UnstyledButton } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { CAPABILITIES } from "@parley/protocol/capabilities";
import { IconInbox, IconStarFilled, IconZzz } from "@tabler/icons-react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { keys, sessionQuery, useConversationList, useUsers, type View, viewQuery } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { listTime } from "../../lib/format";
import { markListRows } from "../../lib/marks";
import { EmptyViewHint } from "../navigation/EmptyViewHint";
import { ContactAvatar, contactName } from "./ContactAvatar";
import { DeliveryTicks } from "./DeliveryTicks";
import { StarToggle, snoozeTime } from "./ImportantSnooze";
import { SlaBadge } from "./SlaBadge";

/** Selecting rows for a bulk action (R106): the chosen ids, or every row of the filter. */
export interface ListSelection {
  ids: ReadonlySet<string>;
  all: boolean;
  toggle(id: string): void;
}
type Sla = { yellow: number | null; red: number | null } | null;

const ROW_HEIGHT = 76;
const STATUS_COLORS = { open: "blue", in_progress: "yellow", closed: "gray" } as const;

/** The conversation list of a view: virtualized, loading the next page (cursor) as the end comes near. */
export function ConversationList({
  view,
  selectedId,
  params = viewQuery(view),
  sla = null,
  selection = null,
  filtered = false,
}: {
  view: View;
  selectedId: string | null;
  /** The API query: the view's conditions with the list's filters. */
  params?: Record<string, string>;
  sla?: Sla;
  selection?: ListSelection | null;
  filtered?: boolean;
}) {
  const { t } = useTranslation();
  const list = useConversationList(view, params);
  // Who wrote each row's last message: "You" for the caller's own replies, a colleague's name for theirs.
  const me = useQuery(sessionQuery).data?.user.id ?? null;
  const users = useUsers().data;
  const names = useMemo(() => new Map(users?.map((u) => [u.id, u.name])), [users]);
  const authorOf = useMemo(() => {
    return (c: Conversation): string | null => {
      const last = c.lastMessage;
      if (last?.direction !== "outbound") return null;
      if (last.authorType === "bot") return t("list.bot");
      if (last.authorType !== "user" || !last.authorId) return null;
      return last.authorId === me ? t("list.you") : (names.get(last.authorId) ?? null);
    };
  }, [names, me, t]);
  // A row keeps the page's query (view, filters, search) so opening a conversation keeps the list as it is.
  const search = useLocation().search.replace(/^\?/, "");
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.conversations) ?? [], [list.data]);
  // The first rows on screen: the inbox's first meaningful paint (lib/marks.ts).
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (hasRows) markListRows();
  }, [hasRows]);
  // A colleague who joined after the people list was loaded: ask for it again (once per unknown person).
  const qc = useQueryClient();
  const askedFor = useRef(new Set<string>());
  useEffect(() => {
    if (!users) return;
    const unknown = rows
      .map((c) => (c.lastMessage?.authorType === "user" ? c.lastMessage.authorId : null))
      .filter((id): id is string => !!id && !names.has(id) && !askedFor.current.has(id));
    if (!unknown.length) return;
    for (const id of unknown) askedFor.current.add(id);
    void qc.invalidateQueries({ queryKey: keys.users });
  }, [rows, users, names, qc]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  const { hasNextPage, isFetching, isFetchingNextPage, fetchNextPage } = list;
  // Not while the list is read again (an event's re-read): a next page would cancel that read.
  useEffect(() => {
    if (hasNextPage && !isFetching && lastIndex >= rows.length - 5)
      void fetchNextPage({ cancelRefetch: false });
  }, [lastIndex, rows.length, hasNextPage, isFetching, fetchNextPage]);

  if (list.isPending)
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  if (list.isError)
    return (
      <Center h="100%" p="md">
        <Text c="red" size="sm">
          {errorText(t, list.error)}
        </Text>
      </Center>
    );
  if (!rows.length)
    return (
      <Stack h="100%" align="center" justify="center" gap="xs" c="dimmed" data-testid="list-empty">
        <IconInbox size={36} stroke={1.2} />
        <Text size="sm">{filtered ? t("inboxFilters.emptyFiltered") : t("list.empty")}</Text>
        {filtered ? null : <EmptyViewHint view={view} />}
      </Stack>
    );
  return (
    <Box
      ref={scrollRef}
      h="100%"
      style={{ overflowY: "auto" }}
      data-testid="conversation-list"
      role="list"
      aria-label={t("account.a11y.list")}
    >
      <Box h={virtualizer.getTotalSize()} pos="relative">
        {items.map((item) => {
          const c = rows[item.index]!;
          return (
            <Box
              key={item.key}
              data-index={item.index}
              role="listitem"
              ref={virtualizer.measureElement}
              pos="absolute"
              top={0}
              left={0}
              w="100%"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <Row
                c={c}
                href={`/inbox/${c.id}?${search || `view=${view}`}`}
                selected={c.id === selectedId}
                sla={sla}
                selection={selection}
                author={authorOf(c)}
                me={me}
              />
            </Box>
          );
        })}
      </Box>
      {isFetchingNextPage ? (
        <Text size="xs" c="dimmed" ta="center" py="xs">
          {t("list.loadingMore")}
        </Text>
      ) : null}
    </Box>
  );
}

/**
 * One row, re-rendered only when its own props change: moving the selection re-renders the two rows whose
 * `selected` changed, not the whole list (the conversation, its link and author are the same values).
 */
const Row = memo(function Row({
  c,
  href,
  selected,
  sla,
  selection,
  author,
  me,
}: {
  c: Conversation;
  me: string | null;
  href: string;
  selected: boolean;
  /** Who wrote the last message when it was one of the team (or a bot); null for the customer's. */
  author: string | null;
  sla: Sla;
  selection: ListSelection | null;
}) {
  const { t, i18n } = useTranslation();
  const unread = c.unreadCount ?? 0;
  const last = c.lastMessage;
  let preview: React.ReactNode;
  if (c.draft) {
    preview = (
      <>
        <Text span c="red.7" inherit>
          {t("list.draft")}:{" "}
        </Text>
        {c.draft}
      </>
    );
  } else if (last) {
    const ours = last.direction === "outbound";
    preview = (
      <>
        {ours && last.deliveryState ? (
          <span style={{ verticalAlign: "-2px", marginRight: 4 }}>
            <DeliveryTicks
              state={last.deliveryState}
              size={13}
              reportsRead={CAPABILITIES[c.connection.type]?.reportsRead ?? true}
            />
          </span>
        ) : null}
        {author ? <span data-testid="row-author">{`${author}: `}</span> : null}
        {last.text ?? t("list.attachment")}
      </>
    );
  } else preview = t("list.noMessages");
  // The star is a button of its own beside the row's link (never inside it), reachable with Tab.
  return (
    <Box pos="relative">
      <UnstyledButton
        component={Link}
        to={href}
        // While selecting, a click on a row selects it instead of opening it.
        onClick={
          selection
            ? (e: React.MouseEvent) => {
                e.preventDefault();
                if (!selection.all) selection.toggle(c.id);
              }
            : undefined
        }
        aria-pressed={selection ? selection.all || selection.ids.has(c.id) : undefined}
        data-testid="conversation-row"
        aria-current={selected ? "page" : undefined}
        data-conversation-id={c.id}
        data-unread={unread}
        w="100%"
        px="md"
        py="sm"
        bg={selected ? "indigo.0" : undefined}
        style={{
          display: "block",
          borderBottom: "1px solid var(--mantine-color-gray-2)",
          borderLeft: `3px solid ${selected ? "var(--mantine-color-indigo-6)" : "transparent"}`,
        }}
      >
        <Group gap="sm" wrap="nowrap" align="flex-start">
          {selection ? (
            <Checkbox
              mt={10}
              size="sm"
              aria-label={t("bulk.row")}
              data-testid="row-select"
              checked={selection.all || selection.ids.has(c.id)}
              disabled={selection.all}
              readOnly
              tabIndex={-1}
              style={{ pointerEvents: "none" }}
            />
          ) : null}
          <ContactAvatar contact={c.contact} channel={c.connection.type} />
          <Box style={{ flex: 1, minWidth: 0 }}>
            <Group justify="space-between" wrap="nowrap" gap={6}>
              <Text size="sm" fw={unread ? 700 : 600} truncate data-testid="row-name">
                {contactName(c.contact) ?? t("list.unknownContact")}
              </Text>
              <Text size="xs" c={unread ? "indigo.8" : "dimmed"} style={{ flexShrink: 0 }}>
                {listTime(c.lastActivityAt, i18n.language)}
              </Text>
            </Group>
            <Group justify="space-between" wrap="nowrap" gap={6} mt={2}>
              <Text size="xs" c="dimmed" truncate data-testid="row-preview" fw={unread ? 500 : 400}>
                {preview}
              </Text>
              {unread > 0 ? (
                <Badge
                  size="sm"
                  circle={unread < 10}
                  color="indigo"
                  data-testid="row-unread"
                  aria-label={t("list.unread", { count: unread })}
                  style={{ flexShrink: 0 }}
                >
                  {unread}
                </Badge>
              ) : null}
            </Group>
            <Group gap={6} mt={4} wrap="nowrap">
              <Text size="xs" c="dimmed" truncate>
                {c.connection.name}
              </Text>
              {c.pinnedTags?.map((tag) => (
                <Badge
                  key={tag.id}
                  size="xs"
                  variant="light"
                  color={tag.color}
                  data-testid="row-tag"
                  style={{ flexShrink: 0, maxWidth: 90 }}
                >
                  {tag.name}
                </Badge>
              ))}
              {sla && c.firstUnansweredAt && c.status !== "closed" ? (
                <SlaBadge since={c.firstUnansweredAt} sla={sla} teamId={c.teamId} />
              ) : null}
              {c.status !== "open" ? (
                <Badge size="xs" variant="light" color={STATUS_COLORS[c.status]} style={{ flexShrink: 0 }}>
                  {t(`status.${c.status}`)}
                </Badge>
              ) : null}
              {c.snoozedUntil ? (
                <Badge
                  size="xs"
                  variant="light"
                  color="violet"
                  leftSection={<IconZzz size={10} />}
                  data-testid="row-snoozed"
                  style={{ flexShrink: 0 }}
                >
                  {t("importantSnooze.snooze.until", { time: snoozeTime(c.snoozedUntil, i18n.language) })}
                </Badge>
              ) : null}
              {/* Room for the star, which sits over this corner. */}
              <Box w={22} style={{ flexShrink: 0, marginLeft: "auto" }} />
            </Group>
          </Box>
        </Group>
      </UnstyledButton>
      {me && !selection ? (
        <Box pos="absolute" right={10} bottom={8}>
          <StarToggle c={c} me={me} size="sm" />
        </Box>
      ) : c.important ? (
        <Box
          pos="absolute"
          right={14}
          bottom={10}
          c="yellow.6"
          role="img"
          aria-label={t("importantSnooze.starredBadge")}
        >
          <IconStarFilled size={12} />
        </Box>
      ) : null}
    </Box>
  );
});
