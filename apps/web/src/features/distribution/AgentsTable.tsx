import { Badge, NumberInput, Switch, Table } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { AgentMatchingCells } from "./AgentMatching";
import { type DistributionPanel, useSaveAgent } from "./distribution-api";

/** Each agent: presence, vacation, open conversations against capacity, and whether distribution may pick them. */
export function AgentsTable({ agents, canEdit }: { agents: DistributionPanel["agents"]; canEdit: boolean }) {
  const { t } = useTranslation();
  const save = useSaveAgent();
  return (
    <Table data-testid="distribution-agents">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("distribution.agent")}</Table.Th>
          <Table.Th>{t("distribution.presence")}</Table.Th>
          <Table.Th>{t("distribution.load")}</Table.Th>
          <Table.Th>{t("distribution.capacity")}</Table.Th>
          <Table.Th>{t("distribution.languages")}</Table.Th>
          <Table.Th>{t("distribution.tags")}</Table.Th>
          <Table.Th>{t("distribution.channelLimits")}</Table.Th>
          <Table.Th>{t("distribution.vacation")}</Table.Th>
          <Table.Th>{t("distribution.eligible")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {agents.map((a) => (
          <Table.Tr key={a.id} data-testid={`agent-${a.name}`}>
            <Table.Td>{a.name}</Table.Td>
            <Table.Td>{a.online ? t("distribution.online") : t("distribution.offline")}</Table.Td>
            <Table.Td data-testid="load">{a.maxOpen === null ? a.open : `${a.open} / ${a.maxOpen}`}</Table.Td>
            <Table.Td>
              <NumberInput
                data-testid="capacity"
                w={110}
                min={0}
                disabled={!canEdit}
                placeholder={t("distribution.unlimited")}
                defaultValue={a.maxOpen ?? ""}
                onBlur={(e) => {
                  const v = e.currentTarget.value.trim();
                  const maxOpen = v === "" ? null : Number(v);
                  if (maxOpen !== a.maxOpen) save.mutate({ userId: a.id, body: { maxOpen } });
                }}
              />
            </Table.Td>
            <AgentMatchingCells agent={a} canEdit={canEdit} />
            <Table.Td>
              <Switch
                data-testid="vacation"
                disabled={!canEdit}
                checked={a.onVacation}
                onChange={(e) => save.mutate({ userId: a.id, body: { onVacation: e.currentTarget.checked } })}
              />
            </Table.Td>
            <Table.Td>
              <Badge data-testid="eligible" color={a.eligible ? "green" : "gray"}>
                {a.eligible ? t("distribution.yes") : t("distribution.no")}
              </Badge>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
