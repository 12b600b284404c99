import "@mantine/dates/styles.css";
import { Button, ColorSwatch, Group, MultiSelect, SegmentedControl, Stack, Text } from "@mantine/core";
import { DatePickerInput, type DatesRangeValue } from "@mantine/dates";
import { IconFilterOff } from "@tabler/icons-react";
import "dayjs/locale/ru";
import "dayjs/locale/uk";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useConnections } from "../../api/channels";
import { useUsers } from "../../api/queries";
import type { InboxFilters } from "./filters";
import { useBots, useTags, useTeams } from "./inbox-tools-api";

const STATUSES = ["open", "in_progress", "closed"] as const;

/**
 * The list's filters (R102): every change applies at once (and lands in the URL). Loaded on demand with
 * the date picker, so the inbox's first load does not carry them.
 */
export default function FilterPanel({
  filters,
  onChange,
}: {
  filters: InboxFilters;
  onChange: (next: InboxFilters) => void;
}) {
  const { t, i18n } = useTranslation();
  const users = useUsers();
  const tags = useTags();
  const bots = useBots();
  const teams = useTeams();
  const connections = useConnections();
  // The channel types the workspace has connected, plus any already chosen (from a bookmarked view).
  const channelTypes = useMemo(
    () => [...new Set([...(connections.data ?? []).map((c) => c.type as string), ...filters.channel])],
    [connections.data, filters.channel],
  );
  const set = <K extends keyof InboxFilters>(k: K, v: InboxFilters[K]) => onChange({ ...filters, [k]: v });
  const tagById = useMemo(() => new Map((tags.data ?? []).map((x) => [x.id, x])), [tags.data]);

  return (
    <Stack gap="md" data-testid="filter-panel">
      <MultiSelect
        label={t("inboxFilters.channel")}
        data={channelTypes.map((c) => ({
          value: c,
          label: t(`channels.types.${c}` as "channels.types.api"),
        }))}
        value={filters.channel}
        onChange={(v) => set("channel", v)}
        clearable
        data-testid="filter-channel"
      />
      <OneOf
        label={t("inboxFilters.type")}
        testId="filter-type"
        value={filters.type}
        onChange={(v) => set("type", v)}
        options={[
          { value: "", label: t("inboxFilters.typeAll") },
          { value: "unassigned", label: t("inboxFilters.unassigned") },
          { value: "mine", label: t("inboxFilters.mine") },
          { value: "unanswered", label: t("inboxFilters.unanswered") },
        ]}
        anyValue="all"
      />
      <MultiSelect
        label={t("inboxFilters.statuses")}
        data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        value={filters.status}
        onChange={(v) => set("status", v)}
        clearable
        data-testid="filter-status"
      />
      <MultiSelect
        label={t("inboxFilters.assignees")}
        data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
        value={filters.assignee}
        onChange={(v) => set("assignee", v)}
        searchable
        clearable
        nothingFoundMessage={t("inboxFilters.nothing")}
      />
      {teams.data?.length ? (
        <MultiSelect
          label={t("inboxFilters.team")}
          data={teams.data.map((x) => ({ value: x.id, label: x.name }))}
          value={filters.team}
          onChange={(v) => set("team", v)}
          searchable
          clearable
        />
      ) : null}
      {bots.data?.length ? (
        <MultiSelect
          label={t("inboxFilters.bots")}
          data={bots.data.map((x) => ({ value: x.id, label: x.name }))}
          value={filters.bot}
          onChange={(v) => set("bot", v)}
          clearable
          data-testid="filter-bot"
        />
      ) : null}
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          {t("inboxFilters.tags")}
        </Text>
        <SegmentedControl
          size="xs"
          fullWidth
          data-testid="filter-tag-mode"
          value={filters.tagMode}
          onChange={(v) =>
            onChange({
              ...filters,
              tagMode: v as InboxFilters["tagMode"],
              ...(v === "none" ? { tag: [] } : {}),
            })
          }
          data={(["any", "none", "pinned"] as const).map((m) => ({
            value: m,
            label: t(`inboxFilters.tagMode.${m}`),
          }))}
        />
        {filters.tagMode !== "none" ? (
          <MultiSelect
            placeholder={t("inboxFilters.tagsPlaceholder")}
            data-testid="filter-tags"
            // Most used first, as the API lists them; the search box filters by name.
            data={(tags.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={filters.tag}
            onChange={(v) => set("tag", v)}
            searchable
            clearable
            nothingFoundMessage={t("inboxFilters.nothing")}
            renderOption={({ option }) => {
              const tag = tagById.get(option.value);
              return (
                <Group gap="xs" wrap="nowrap" w="100%">
                  <ColorSwatch color={tag?.color ?? "#868e96"} size={12} />
                  <Text size="sm" style={{ flex: 1 }} truncate>
                    {option.label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t("inboxFilters.tagCount", { count: tag?.contactCount ?? 0 })}
                  </Text>
                </Group>
              );
            }}
          />
        ) : null}
      </Stack>
      <DatePickerInput
        type="range"
        label={t("inboxFilters.date")}
        placeholder={t("inboxFilters.datePlaceholder")}
        locale={i18n.language}
        value={[filters.from || null, filters.to || filters.from || null] as DatesRangeValue<string>}
        onChange={(v) => {
          // Apply once the range is complete (or cleared): half a range is still being picked.
          if ((v[0] && v[1]) || (!v[0] && !v[1]))
            onChange({ ...filters, from: v[0] ?? "", to: v[1] && v[1] !== v[0] ? v[1] : "" });
        }}
        allowSingleDateInRange
        clearable
        valueFormat="D MMM YYYY"
        data-testid="filter-date"
      />
      <OneOf
        label={t("inboxFilters.author")}
        testId="filter-author"
        value={filters.author}
        onChange={(v) => set("author", v)}
        options={[
          { value: "", label: t("inboxFilters.authorAny") },
          { value: "customer", label: t("inboxFilters.customer") },
          { value: "agent", label: t("inboxFilters.agent") },
        ]}
        anyValue="any"
      />
      <OneOf
        label={t("comments.filter.label")}
        testId="filter-kind"
        value={filters.kind}
        onChange={(v) => set("kind", v)}
        options={[
          { value: "", label: t("comments.filter.any") },
          { value: "comment", label: t("comments.filter.comment") },
          { value: "direct", label: t("comments.filter.direct") },
        ]}
        anyValue="any"
      />
      <Button
        variant="subtle"
        color="gray"
        leftSection={<IconFilterOff size={16} />}
        data-testid="filter-reset"
        onClick={() =>
          onChange({
            channel: [],
            type: "",
            assignee: [],
            team: [],
            bot: [],
            status: [],
            tag: [],
            tagMode: "any",
            from: "",
            to: "",
            author: "",
            kind: "",
            sort: filters.sort,
          })
        }
      >
        {t("inboxFilters.reset")}
      </Button>
    </Stack>
  );
}

/**
 * A labelled choice of one. The option with the value "" stands for "no filter"; `anyValue` is its name in
 * the control (which cannot hold an empty value).
 */
function OneOf<V extends string>({
  label,
  testId,
  value,
  onChange,
  options,
  anyValue,
}: {
  label: string;
  testId: string;
  value: V;
  onChange: (v: V) => void;
  options: { value: V; label: string }[];
  anyValue: string;
}) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <SegmentedControl
        size="xs"
        fullWidth
        data-testid={testId}
        value={value || anyValue}
        onChange={(v) => onChange((v === anyValue ? "" : v) as V)}
        data={options.map((o) => ({ value: o.value || anyValue, label: o.label }))}
      />
    </Stack>
  );
}
