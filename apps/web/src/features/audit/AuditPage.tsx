import "@mantine/dates/styles.css";
import { Alert, Button, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { DatePickerInput, type DatesRangeValue } from "@mantine/dates";
import { useDebouncedValue } from "@mantine/hooks";
import { IconDownload, IconSearch } from "@tabler/icons-react";
import "dayjs/locale/ru";
import "dayjs/locale/uk";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type AuditFilters, auditParams, useAudit } from "../../api/audit";
import { downloadCsv } from "../../api/log";
import { type Session, useUsers } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { PageShell } from "../layout/AppHeader";
import { AuditRow } from "./AuditRow";
import { RetentionSetting } from "./RetentionSetting";

const dayStart = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const nextDayStart = (day: string) => {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
};

/**
 * `/settings/audit` (audit.view, R803): who did what to which record, when and from where; filters, a row
 * expands to its data (settings before and after), CSV export of the filtered log, the retention period.
 */
export default function AuditPage({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<AuditFilters>({});
  const [range, setRange] = useState<[string | null, string | null]>([null, null]);
  const [typed, setTyped] = useState<AuditFilters>({});
  const [debounced] = useDebouncedValue(typed, 300);
  const users = useUsers();
  const params = auditParams({
    ...filters,
    ...debounced,
    from: range[0] ? dayStart(range[0]) : undefined,
    to: range[1] ? nextDayStart(range[1]) : undefined,
  });
  const audit = useAudit(params);
  if (!session.permissions.includes("audit.view"))
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("audit.forbidden")}</Alert>
      </PageShell>
    );
  const entries = audit.data?.pages.flatMap((p) => p.entries) ?? [];
  const text = (
    key: "action" | "targetType" | "targetId" | "q" | "ip",
    label: string,
    w: number,
    placeholder?: string,
  ) => (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={typed[key] ?? ""}
      onChange={(e) => {
        // Read now: the event's target is gone by the time the state updater runs.
        const value = e.currentTarget.value;
        setTyped((f) => ({ ...f, [key]: value }));
      }}
      w={w}
      data-testid={`audit-filter-${key}`}
      {...(key === "q" ? { leftSection: <IconSearch size={14} /> } : {})}
    />
  );
  return (
    <PageShell session={session}>
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={3}>{t("audit.title")}</Title>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} />}
            onClick={() => downloadCsv(`/api/audit/export.csv?${new URLSearchParams(params)}`)}
            data-testid="audit-export"
          >
            {t("audit.export")}
          </Button>
        </Group>
        <Text c="dimmed" size="sm">
          {t("audit.subtitle")}
        </Text>
        <Group align="flex-end" gap="sm" wrap="wrap">
          {text("q", t("audit.filters.search"), 220)}
          <Select
            label={t("audit.filters.person")}
            placeholder={t("audit.filters.anyone")}
            data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
            value={filters.user ?? null}
            onChange={(v) => setFilters((f) => ({ ...f, user: v ?? undefined }))}
            searchable
            clearable
            w={200}
            data-testid="audit-user"
          />
          {text("action", t("audit.filters.action"), 170)}
          {text("targetType", t("audit.filters.targetType"), 140)}
          {text("targetId", t("audit.filters.targetId"), 200)}
          {text("ip", t("audit.filters.address"), 200, t("audit.filters.addressHint"))}
          <DatePickerInput
            type="range"
            label={t("audit.filters.dates")}
            placeholder={t("audit.filters.anyDate")}
            locale={i18n.language}
            value={range as DatesRangeValue<string>}
            onChange={(v) => {
              if ((v[0] && v[1]) || (!v[0] && !v[1])) setRange([v[0], v[1]]);
            }}
            allowSingleDateInRange
            clearable
            valueFormat="D MMM YYYY"
            w={250}
            data-testid="audit-dates"
          />
        </Group>
        {audit.isError ? <Alert color="red">{errorText(t, audit.error)}</Alert> : null}
        <Table striped highlightOnHover data-testid="audit-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={30} />
              <Table.Th>{t("audit.columns.when")}</Table.Th>
              <Table.Th>{t("audit.columns.who")}</Table.Th>
              <Table.Th>{t("audit.columns.what")}</Table.Th>
              <Table.Th>{t("audit.columns.target")}</Table.Th>
              <Table.Th>{t("audit.columns.where")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {entries.map((e) => (
              <AuditRow key={e.id} entry={e} />
            ))}
          </Table.Tbody>
        </Table>
        {audit.isLoading ? <Loader size="sm" /> : null}
        {!audit.isLoading && !entries.length ? (
          <Text c="dimmed" data-testid="audit-empty">
            {t("audit.empty")}
          </Text>
        ) : null}
        {audit.hasNextPage ? (
          <Button
            variant="subtle"
            onClick={() => void audit.fetchNextPage()}
            loading={audit.isFetchingNextPage}
            data-testid="audit-more"
          >
            {t("audit.more")}
          </Button>
        ) : null}
        {session.permissions.includes("workspace.manage") ? <RetentionSetting /> : null}
      </Stack>
    </PageShell>
  );
}
