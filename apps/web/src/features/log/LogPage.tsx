import "@mantine/dates/styles.css";
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  MultiSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { DatePickerInput, type DatesRangeValue } from "@mantine/dates";
import { useDebouncedValue } from "@mantine/hooks";
import type { ChannelType } from "@parley/protocol";
import {
  IconArchive,
  IconFilterOff,
  IconSearch,
  IconSortAscending,
  IconSortDescending,
} from "@tabler/icons-react";
import "dayjs/locale/ru";
import "dayjs/locale/uk";
import type { TFunction } from "i18next";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useConnections } from "../../api/channels";
import { type LogEntry, type LogFilters, logParams, useLog, useTags } from "../../api/log";
import { type Session, useUsers } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { can } from "../../lib/permissions";
import { WriteButton, WriteModal } from "../contacts/ContactsPage";
import { ChannelIcon } from "../inbox/ChannelIcon";
import { PageShell } from "../layout/AppHeader";
import { ExportButton } from "./ExportButton";
import { HistoryModal } from "./HistoryModal";
import { useScrollPages } from "./use-scroll-pages";

const list = (v: string | null) => (v ? v.split(",").filter(Boolean) : []);

/** A day (YYYY-MM-DD, the agent's calendar) as the ISO time of its local midnight. */
const dayStart = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const nextDayStart = (day: string) => {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
};

/** The filters live in the URL (bookmarkable, kept on reload): `?assignee=…&from=YYYY-MM-DD&to=YYYY-MM-DD…`. */
function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const from = params.get("from");
  const to = params.get("to");
  const filters: LogFilters = {
    assignee: list(params.get("assignee")),
    connection: list(params.get("connection")),
    channel: list(params.get("channel")),
    tag: list(params.get("tag")),
    q: params.get("q") ?? "",
    sort: params.get("sort") === "asc" ? "asc" : "desc",
    // The range is whole days in the agent's time zone; the API takes [from, to) in UTC.
    from: from ? dayStart(from) : undefined,
    to: to ? nextDayStart(to) : undefined,
  };
  const set = (patch: Record<string, string | string[] | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          const s = Array.isArray(v) ? v.join(",") : v;
          if (s) next.set(k, s);
          else next.delete(k);
        }
        return next;
      },
      { replace: true },
    );
  return { filters, range: [from, to] as [string | null, string | null], set, params, setParams };
}

/** The message log (R601): closed conversations, filters in the URL, infinite scroll, history, "Write". */
export function LogPage({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const { filters, range, set, params, setParams } = useUrlFilters();
  const [q, setQ] = useState(filters.q ?? "");
  const [debouncedQ] = useDebouncedValue(q.trim(), 300);
  // Only the typed text drives this: with the URL as a dependency, clearing the filters would put back
  // the text still waiting in the debounce.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (debouncedQ !== (params.get("q") ?? "")) set({ q: debouncedQ || null });
  }, [debouncedQ]);
  const apiParams = logParams(filters);
  const log = useLog(apiParams);
  const users = useUsers();
  const connections = useConnections();
  const tags = useTags();
  const [openId, setOpenId] = useState<string | null>(null);
  const [writing, setWriting] = useState<LogEntry | null>(null);
  const { sentinel } = useScrollPages(log);

  const entries = useMemo(() => log.data?.pages.flatMap((p) => p.entries) ?? [], [log.data]);
  const channelTypes = useMemo(
    () => [...new Set((connections.data ?? []).map((c) => c.type))],
    [connections.data],
  );
  const open = entries.find((e) => e.id === openId) ?? null;
  const anyFilter = [...params.keys()].length > 0;

  return (
    <PageShell session={session} wide>
      <Group justify="space-between" align="flex-end" mb="lg">
        <Stack gap={4}>
          <Title order={2}>{t("log.title")}</Title>
          <Text c="dimmed" size="sm">
            {t("log.subtitle")}
          </Text>
        </Stack>
        {can(session, "data.export") ? <ExportButton scope="log" filters={apiParams} /> : null}
      </Group>
      <Paper withBorder radius="md" p="md" mb="md">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <TextInput
            label={t("log.search")}
            placeholder={t("log.searchPlaceholder")}
            leftSection={<IconSearch size={16} />}
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            w={240}
            data-testid="log-search"
          />
          <MultiSelect
            label={t("log.agent")}
            placeholder={filters.assignee?.length ? undefined : t("log.anyAgent")}
            data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={filters.assignee}
            onChange={(v) => set({ assignee: v })}
            searchable
            clearable
            w={220}
            data-testid="log-agent"
          />
          <MultiSelect
            label={t("log.channel")}
            placeholder={filters.channel?.length ? undefined : t("log.anyChannel")}
            data={channelTypes.map((type) => ({
              value: type,
              label: t(`channels.types.${type}` as "channels.types.api", { defaultValue: type }),
            }))}
            value={filters.channel}
            onChange={(v) => set({ channel: v })}
            clearable
            w={180}
            data-testid="log-channel"
          />
          <MultiSelect
            label={t("log.connection")}
            placeholder={filters.connection?.length ? undefined : t("log.anyConnection")}
            data={(connections.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={filters.connection}
            onChange={(v) => set({ connection: v })}
            searchable
            clearable
            w={200}
            data-testid="log-connection"
          />
          <MultiSelect
            label={t("log.tags")}
            placeholder={filters.tag?.length ? undefined : t("log.anyTag")}
            data={(tags.data ?? []).map((tag) => ({ value: tag.id, label: tag.name }))}
            value={filters.tag}
            onChange={(v) => set({ tag: v })}
            searchable
            clearable
            w={180}
            data-testid="log-tag"
          />
          <DatePickerInput
            type="range"
            label={t("log.closedBetween")}
            placeholder={t("log.anyDate")}
            locale={i18n.language}
            value={range as DatesRangeValue<string>}
            onChange={(v) => {
              // Apply once the range is complete (or cleared): half a range is still being picked.
              if ((v[0] && v[1]) || (!v[0] && !v[1])) set({ from: v[0], to: v[1] });
            }}
            allowSingleDateInRange
            clearable
            valueFormat="D MMM YYYY"
            w={250}
            data-testid="log-dates"
          />
          <Tooltip label={filters.sort === "asc" ? t("log.oldestFirst") : t("log.newestFirst")}>
            <ActionIcon
              variant="default"
              size="lg"
              aria-label={filters.sort === "asc" ? t("log.oldestFirst") : t("log.newestFirst")}
              onClick={() => set({ sort: filters.sort === "asc" ? null : "asc" })}
              data-testid="log-sort"
              data-sort={filters.sort}
            >
              {filters.sort === "asc" ? <IconSortAscending size={18} /> : <IconSortDescending size={18} />}
            </ActionIcon>
          </Tooltip>
          {anyFilter ? (
            <Button
              variant="subtle"
              leftSection={<IconFilterOff size={16} />}
              onClick={() => {
                setQ("");
                setParams(new URLSearchParams(), { replace: true });
              }}
              data-testid="log-reset"
            >
              {t("log.reset")}
            </Button>
          ) : null}
        </Group>
      </Paper>
      <Paper withBorder radius="md">
        {log.isError ? (
          <Alert color="red" variant="light" m="md">
            {errorText(t, log.error)}
          </Alert>
        ) : !log.data ? (
          <Center py="xl">
            <Loader size="sm" />
          </Center>
        ) : entries.length === 0 ? (
          <Stack align="center" gap={4} py="xl" c="dimmed" data-testid="log-empty">
            <IconArchive size={36} stroke={1.3} />
            <Text size="sm">
              {anyFilter
                ? t("log.emptyFiltered")
                : can(session, "conversations.view_all")
                  ? t("log.empty")
                  : t("agentDay.logEmptyMine")}
            </Text>
          </Stack>
        ) : (
          <Table.ScrollContainer minWidth={1000}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="log-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("log.contact")}</Table.Th>
                  <Table.Th>{t("log.channel")}</Table.Th>
                  <Table.Th>{t("log.lastReply")}</Table.Th>
                  <Table.Th>{t("log.responsible")}</Table.Th>
                  <Table.Th>{t("log.created")}</Table.Th>
                  <Table.Th>{t("log.closed")}</Table.Th>
                  <Table.Th>{t("log.source")}</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((e) => (
                  <Table.Tr
                    key={e.id}
                    data-testid="log-row"
                    data-conversation-id={e.id}
                    style={{ cursor: "pointer" }}
                    onClick={() => setOpenId(e.id)}
                  >
                    <Table.Td>
                      <Text size="sm" fw={600} data-testid="log-contact">
                        {e.contact.name ?? e.contact.nickname ?? t("list.unknownContact")}
                      </Text>
                      {e.contact.nickname && e.contact.name ? (
                        <Text size="xs" c="dimmed">
                          @{e.contact.nickname}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <ChannelIcon type={e.connection.type as ChannelType} size={16} />
                        <Text size="sm">{e.connection.name}</Text>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{lastReplyText(t, e)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{e.assignee?.name ?? "—"}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{fullDateTime(e.createdAt, i18n.language)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" data-testid="log-closed">
                        {fullDateTime(e.closedAt, i18n.language)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <SourceBadges source={e.source} />
                    </Table.Td>
                    <Table.Td ta="right" onClick={(ev) => ev.stopPropagation()}>
                      <WriteButton onClick={() => setWriting(e)} testId="log-write" />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <div key={sentinel.key} ref={sentinel.ref} style={{ height: 1 }} />
        {log.hasNextPage ? (
          <Center py="sm">
            <Button
              variant="subtle"
              size="xs"
              loading={log.isFetchingNextPage}
              onClick={() => void log.fetchNextPage()}
              data-testid="log-more"
            >
              {t("log.more")}
            </Button>
          </Center>
        ) : null}
      </Paper>
      {open ? (
        <HistoryModal
          entry={open}
          onClose={() => setOpenId(null)}
          onWrite={() => {
            setWriting(open);
            setOpenId(null);
          }}
        />
      ) : null}
      {writing ? (
        <WriteModal
          contact={{
            id: writing.contact.id,
            name: writing.contact.name,
            nickname: writing.contact.nickname,
            email: null,
            phone: null,
            avatarUrl: null,
            blocked: false,
          }}
          onClose={() => setWriting(null)}
        />
      ) : null}
    </PageShell>
  );
}

function lastReplyText(t: TFunction, e: LogEntry): string {
  if (!e.lastReply) return t("log.noReply");
  if (e.lastReply.authorType === "user") return e.lastReply.authorName ?? t("feed.agent");
  if (e.lastReply.authorType === "bot") return t("log.bot");
  return t("log.automation");
}

const SOURCE_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"] as const;

/** The traffic source: UTM values as badges, the referrer's host (full address on hover). */
function SourceBadges({ source }: { source: Record<string, unknown> }) {
  const utm = SOURCE_KEYS.filter((k) => typeof source[k] === "string" && source[k]);
  const referrer = typeof source.referrer === "string" ? source.referrer : null;
  if (!utm.length && !referrer) return <Text size="sm">—</Text>;
  let host = referrer;
  try {
    if (referrer) host = new URL(referrer).host;
  } catch {
    // Not a URL: shown as it is.
  }
  return (
    <Group gap={4} data-testid="log-source">
      {utm.map((k) => (
        <Badge key={k} size="xs" variant="light" tt="none" title={k}>
          {String(source[k])}
        </Badge>
      ))}
      {referrer ? (
        <Text size="xs" c="dimmed" title={referrer}>
          {host}
        </Text>
      ) : null}
    </Group>
  );
}
