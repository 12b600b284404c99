import {
  ActionIcon,
  Box,
  Center,
  CloseButton,
  Drawer,
  Group,
  Indicator,
  Loader,
  Select,
  Stack,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconAdjustmentsHorizontal, IconClockHour4, IconListCheck, IconSearch } from "@tabler/icons-react";
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import type { Session, View } from "../../api/queries";
import { can } from "../../lib/permissions";
import { BulkBar } from "./BulkBar";
import { ConversationList } from "./ConversationList";
import { activeFilterCount, type InboxFilters, listParams, readFilters, writeFilters } from "./filters";
import { slaOf, useWorkspaceSettings } from "./inbox-tools-api";
import { SearchResults } from "./SearchResults";

// The filter panel carries the date picker, the time limits form a number input: loaded when first
// opened, not with the inbox.
const FilterPanel = lazy(() => import("./FilterPanel"));
const SlaSettings = lazy(() => import("./SlaSettings").then((m) => ({ default: m.SlaSettings })));

/**
 * The list column: search, filters (kept in the URL), order, time-limit labels, selection and bulk
 * actions above the virtualized list, or the search results while a search is typed.
 */
export function InboxListColumn({
  view,
  selectedId,
  session,
}: {
  view: View;
  selectedId: string | null;
  session: Session;
}) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const paramsKey = params.toString();
  // The URL's text is the filters' identity: opening another conversation makes a new `params`, not new filters.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the URL's text
  const filters = useMemo(() => readFilters(params), [paramsKey]);
  const settings = useWorkspaceSettings();
  // Kept as one value while the settings are: the list's rows are memoised on it.
  const sla = useMemo(() => slaOf(settings.data), [settings.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the URL's text is the identity of the filters
  const query = useMemo(() => listParams(view, filters, sla !== null), [view, paramsKey, sla !== null]);
  // `setParams` is a new function after every navigation: the latest one is called through a ref, so that
  // `setFilters` (and the toolbar drawn with it) stays the same across switches of conversation.
  const latestSetParams = useRef(setParams);
  useLayoutEffect(() => {
    latestSetParams.current = setParams;
  });
  const setFilters = useCallback(
    (next: InboxFilters) => latestSetParams.current((cur) => writeFilters(cur, next), { replace: true }),
    [],
  );

  // The search box writes `q` into the URL once typing pauses. Only a change is written: `setParams` is a new
  // function after every navigation (opening another conversation), and writing the same URL again would
  // render the whole inbox a second time on each switch.
  const [text, setText] = useState(params.get("q") ?? "");
  const [debounced] = useDebouncedValue(text.trim(), 300);
  useEffect(() => {
    if ((new URLSearchParams(window.location.search).get("q") ?? "") === debounced) return;
    setParams(
      (cur) => {
        const next = new URLSearchParams(cur);
        if (debounced) next.set("q", debounced);
        else next.delete("q");
        return next;
      },
      { replace: true },
    );
  }, [debounced, setParams]);
  const q = params.get("q") ?? "";

  const [filtersOpen, setFiltersOpen] = useState(false);
  const [slaOpen, setSlaOpen] = useState(false);
  const [selecting, setSelecting] = useState(false);
  const bulk = can(session, "conversations.bulk");
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [all, setAll] = useState(false);
  const toggle = useCallback(
    (id: string) =>
      setPicked((cur) => {
        const next = new Set(cur);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const clear = useCallback(() => {
    setPicked(new Set());
    setAll(false);
  }, []);
  // A different list is a different selection.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the list's query changes
  useEffect(clear, [query, clear]);
  const selection = useMemo(
    () => (selecting ? { ids: picked, all, toggle } : null),
    [selecting, picked, all, toggle],
  );
  const count = activeFilterCount(filters);

  // The search, filters and order do not change with the open conversation: drawn once for these values,
  // not again on every switch (a select, tooltips and a drawer are work to render).
  const manage = can(session, "workspace.manage");
  const toolbar = useMemo(
    () => (
      <>
        <Stack gap={6} px="sm" py={8} style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }}>
          <Group gap={6} wrap="nowrap">
            <TextInput
              style={{ flex: 1 }}
              size="sm"
              placeholder={t("inboxSearch.placeholder")}
              leftSection={<IconSearch size={16} />}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              rightSection={
                text ? (
                  <CloseButton size="sm" aria-label={t("inboxSearch.clear")} onClick={() => setText("")} />
                ) : null
              }
              data-inbox-search
              data-testid="inbox-search"
              type="search"
            />
            <Tooltip label={t("inboxFilters.button")}>
              <Indicator label={count} size={16} disabled={!count} offset={4}>
                <ActionIcon
                  variant={count ? "light" : "subtle"}
                  size="lg"
                  aria-label={t("inboxFilters.button")}
                  onClick={() => setFiltersOpen(true)}
                  data-testid="filters-button"
                >
                  <IconAdjustmentsHorizontal size={18} />
                </ActionIcon>
              </Indicator>
            </Tooltip>
            {bulk ? (
              <Tooltip label={t("bulk.select")}>
                <ActionIcon
                  variant={selecting ? "filled" : "subtle"}
                  size="lg"
                  aria-label={t("bulk.select")}
                  aria-pressed={selecting}
                  onClick={() => {
                    setSelecting((s) => !s);
                    clear();
                  }}
                  data-testid="select-mode"
                >
                  <IconListCheck size={18} />
                </ActionIcon>
              </Tooltip>
            ) : null}
          </Group>
          {sla || manage ? (
            <Group gap={6} wrap="nowrap">
              {sla ? (
                <Select
                  size="xs"
                  style={{ flex: 1 }}
                  aria-label={t("inboxSort.label")}
                  value={filters.sort}
                  onChange={(v) => setFilters({ ...filters, sort: v === "waiting" ? "waiting" : "activity" })}
                  data={[
                    { value: "activity", label: t("inboxSort.activity") },
                    { value: "waiting", label: t("inboxSort.waiting") },
                  ]}
                  allowDeselect={false}
                  data-testid="sort-select"
                />
              ) : (
                <Box style={{ flex: 1 }} />
              )}
              {manage ? (
                <Tooltip label={t("sla.button")}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={t("sla.button")}
                    onClick={() => setSlaOpen(true)}
                    data-testid="sla-settings"
                  >
                    <IconClockHour4 size={18} />
                  </ActionIcon>
                </Tooltip>
              ) : null}
            </Group>
          ) : null}
        </Stack>
        <Drawer
          opened={filtersOpen}
          onClose={() => setFiltersOpen(false)}
          title={t("inboxFilters.title")}
          position="right"
          size="sm"
        >
          {filtersOpen ? (
            <Suspense
              fallback={
                <Center py="xl">
                  <Loader size="sm" />
                </Center>
              }
            >
              <FilterPanel filters={filters} onChange={setFilters} />
            </Suspense>
          ) : null}
        </Drawer>
        {slaOpen ? (
          <Suspense fallback={null}>
            <SlaSettings opened onClose={() => setSlaOpen(false)} settings={settings.data} />
          </Suspense>
        ) : null}
      </>
    ),
    [
      t,
      text,
      count,
      bulk,
      selecting,
      clear,
      sla,
      manage,
      filters,
      setFilters,
      filtersOpen,
      slaOpen,
      settings.data,
    ],
  );

  return (
    <Stack h="100%" gap={0}>
      {toolbar}
      {selecting && bulk && !q ? (
        <BulkBar
          count={picked.size}
          all={all}
          ids={[...picked]}
          filter={query}
          canDelete={can(session, "conversations.delete")}
          onSelectAll={() => setAll(true)}
          onClear={clear}
          onFinished={clear}
        />
      ) : null}
      <Box style={{ flex: 1, minHeight: 0 }}>
        {q ? (
          <SearchResults q={q} selectedId={selectedId} />
        ) : (
          <ConversationList
            view={view}
            selectedId={selectedId}
            params={query}
            sla={sla}
            selection={selection}
            filtered={count > 0}
          />
        )}
      </Box>
    </Stack>
  );
}
