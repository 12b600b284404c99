import { Button, NumberInput, Select, Stack, Switch, Table } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useConnections } from "../../api/channels";
import { useTeams } from "../inbox/inbox-tools-api";
import { type DistributionSettings, useSaveSettings } from "./distribution-api";

type Scope = { kind: "connections" | "teams"; id: string; name: string };
const MODES = ["manual", "round_robin", "least_busy"] as const;

/** One row per connection and team: the mode, the reply timeout and the fallback team, saved together. */
function ScopeRow({
  scope,
  current,
  teams,
}: {
  scope: Scope;
  current?: DistributionSettings;
  teams: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const save = useSaveSettings();
  const [mode, setMode] = useState<string>(current?.mode ?? "manual");
  const [timeout, setTimeoutMinutes] = useState<number | string>(current?.replyTimeoutMinutes ?? "");
  const [fallback, setFallback] = useState<string | null>(current?.fallbackTeamId ?? null);
  const [matchLanguage, setMatchLanguage] = useState(current?.matchLanguage ?? false);
  const [matchTags, setMatchTags] = useState(current?.matchTags ?? false);
  const [unmatched, setUnmatched] = useState<"wait" | "any">(current?.unmatched ?? "wait");
  return (
    <Table.Tr data-testid={`scope-${scope.name}`}>
      <Table.Td>{scope.name}</Table.Td>
      <Table.Td>
        <Select
          data-testid="mode"
          w={170}
          allowDeselect={false}
          value={mode}
          onChange={(v) => setMode(v ?? "manual")}
          data={MODES.map((m) => ({ value: m, label: t(`distribution.modes.${m}`) }))}
        />
      </Table.Td>
      <Table.Td>
        <NumberInput
          data-testid="timeout"
          w={110}
          min={1}
          value={timeout}
          onChange={setTimeoutMinutes}
          placeholder="—"
        />
      </Table.Td>
      <Table.Td>
        <Select
          data-testid="fallback"
          w={170}
          clearable
          value={fallback}
          onChange={setFallback}
          data={teams.filter((x) => x.value !== scope.id)}
        />
      </Table.Td>
      <Table.Td>
        <Stack gap={4}>
          <Switch
            data-testid="match-language"
            size="xs"
            label={t("distribution.matchLanguage")}
            checked={matchLanguage}
            onChange={(e) => setMatchLanguage(e.currentTarget.checked)}
          />
          <Switch
            data-testid="match-tags"
            size="xs"
            label={t("distribution.matchTags")}
            checked={matchTags}
            onChange={(e) => setMatchTags(e.currentTarget.checked)}
          />
          {matchLanguage || matchTags ? (
            <Select
              data-testid="unmatched"
              size="xs"
              w={170}
              allowDeselect={false}
              aria-label={t("distribution.unmatched")}
              value={unmatched}
              onChange={(v) => setUnmatched(v === "any" ? "any" : "wait")}
              data={(["wait", "any"] as const).map((m) => ({
                value: m,
                label: t(`distribution.unmatchedModes.${m}`),
              }))}
            />
          ) : null}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Button
          data-testid="save"
          size="xs"
          loading={save.isPending}
          onClick={() =>
            save.mutate({
              kind: scope.kind,
              id: scope.id,
              body: {
                mode: mode as (typeof MODES)[number],
                replyTimeoutMinutes: timeout === "" ? null : Number(timeout),
                fallbackTeamId: fallback,
                reassignWhenAway: current?.reassignWhenAway ?? true,
                poolTeamId: current?.poolTeamId ?? null,
                matchLanguage,
                matchTags,
                unmatched,
              },
            })
          }
        >
          {t("distribution.save")}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

export function SettingsTable({ settings }: { settings: DistributionSettings[] }) {
  const { t } = useTranslation();
  const connections = useConnections();
  const teams = useTeams();
  const teamOptions = (teams.data ?? []).map((x) => ({ value: x.id, label: x.name }));
  const scopes: Scope[] = [
    ...(connections.data ?? []).map((c) => ({ kind: "connections" as const, id: c.id, name: c.name })),
    ...(teams.data ?? []).map((x) => ({ kind: "teams" as const, id: x.id, name: x.name })),
  ];
  return (
    <Table data-testid="distribution-settings">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("distribution.scope")}</Table.Th>
          <Table.Th>{t("distribution.mode")}</Table.Th>
          <Table.Th>{t("distribution.replyTimeout")}</Table.Th>
          <Table.Th>{t("distribution.fallbackTeam")}</Table.Th>
          <Table.Th>{t("distribution.unmatched")}</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {scopes.map((s) => (
          <ScopeRow
            key={s.id}
            scope={s}
            teams={teamOptions}
            current={settings.find((x) => (s.kind === "connections" ? x.connectionId : x.teamId) === s.id)}
          />
        ))}
      </Table.Tbody>
    </Table>
  );
}
