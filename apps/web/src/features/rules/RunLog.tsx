import { Badge, Card, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useRuleRuns } from "./rules-api";

const COLORS = { matched: "green", skipped: "yellow", failed: "red" } as const;

/** A rule's run log: each time it matched, was skipped (its own action, a loop stopped) or failed, and why. */
export function RunLog({ ruleId, name }: { ruleId: string; name: string }) {
  const { t, i18n } = useTranslation();
  const runs = useRuleRuns(ruleId);
  const list = runs.data ?? [];
  return (
    <Card withBorder data-testid="run-log">
      <Title order={5}>{t("rules.log.title", { name })}</Title>
      {runs.data && !list.length ? <Text c="dimmed">{t("rules.log.empty")}</Text> : null}
      {list.length ? (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("rules.log.when")}</Table.Th>
              <Table.Th>{t("rules.log.conversation")}</Table.Th>
              <Table.Th>{t("rules.log.outcome")}</Table.Th>
              <Table.Th>{t("rules.log.reason")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{new Date(r.at).toLocaleString(i18n.language)}</Table.Td>
                <Table.Td>{r.conversationNumber ? `#${r.conversationNumber}` : "—"}</Table.Td>
                <Table.Td>
                  <Badge color={COLORS[r.outcome]} variant="light">
                    {t(`rules.log.outcomes.${r.outcome}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {r.reason === "loop_stopped" || r.reason === "own_action"
                    ? t(`rules.log.reasons.${r.reason}`)
                    : (r.reason ?? "")}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Card>
  );
}
