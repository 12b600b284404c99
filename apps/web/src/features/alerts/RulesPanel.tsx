import { Badge, Button, Group, NumberInput, Stack, Switch, Table, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { type AlertRule, useAlertRules, useSaveRule } from "./alerts-api";

/** One rule: its switch, and its threshold and window saved together. */
function RuleRow({ rule, canEdit }: { rule: AlertRule; canEdit: boolean }) {
  const { t } = useTranslation();
  const save = useSaveRule();
  const [threshold, setThreshold] = useState<number | string>(rule.threshold);
  const [windowMinutes, setWindow] = useState<number | string>(rule.windowMinutes);
  useEffect(() => {
    setThreshold(rule.threshold);
    setWindow(rule.windowMinutes);
  }, [rule.threshold, rule.windowMinutes]);
  const changed = Number(threshold) !== rule.threshold || Number(windowMinutes) !== rule.windowMinutes;
  const valid = Number(threshold) >= 1 && Number(windowMinutes) >= 1 && Number(windowMinutes) <= 1440;
  return (
    <Table.Tr data-testid={`rule-${rule.rule}`}>
      <Table.Td>
        <Text fw={500}>{t(`alerts.rules.${rule.rule}.name`)}</Text>
        <Text size="xs" c="dimmed">
          {t(`alerts.rules.${rule.rule}.hint`)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={t("alerts.enabled")}
          data-testid={`rule-${rule.rule}-enabled`}
          checked={rule.enabled}
          disabled={!canEdit || save.isPending}
          onChange={(e) => save.mutate({ rule: rule.rule, patch: { enabled: e.currentTarget.checked } })}
        />
      </Table.Td>
      <Table.Td>
        {rule.hasThreshold ? (
          <NumberInput
            aria-label={t("alerts.threshold")}
            data-testid={`rule-${rule.rule}-threshold`}
            value={threshold}
            onChange={setThreshold}
            min={1}
            allowDecimal={false}
            disabled={!canEdit}
            w={120}
          />
        ) : (
          <Badge variant="light">{t("alerts.firstTime")}</Badge>
        )}
      </Table.Td>
      <Table.Td>
        <NumberInput
          aria-label={t("alerts.window")}
          data-testid={`rule-${rule.rule}-window`}
          value={windowMinutes}
          onChange={setWindow}
          min={1}
          max={1440}
          allowDecimal={false}
          disabled={!canEdit}
          suffix={` ${t("alerts.minutes")}`}
          w={120}
        />
      </Table.Td>
      <Table.Td>
        {canEdit ? (
          <Button
            size="xs"
            data-testid={`rule-${rule.rule}-save`}
            disabled={!changed || !valid}
            loading={save.isPending}
            onClick={() =>
              save.mutate({
                rule: rule.rule,
                patch: { threshold: Number(threshold), windowMinutes: Number(windowMinutes) },
              })
            }
          >
            {t("alerts.save")}
          </Button>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

/** The workspace's rules: switches and thresholds (editable with workspace.manage). */
export function RulesPanel({ canEdit }: { canEdit: boolean }) {
  const { t } = useTranslation();
  const rules = useAlertRules();
  if (!rules.data) return null;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        {canEdit ? t("alerts.rulesIntro") : t("alerts.readOnly")}
      </Text>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("alerts.rule")}</Table.Th>
            <Table.Th>{t("alerts.enabled")}</Table.Th>
            <Table.Th>{t("alerts.threshold")}</Table.Th>
            <Table.Th>{t("alerts.window")}</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.data.rules.map((r) => (
            <RuleRow key={r.rule} rule={r} canEdit={canEdit} />
          ))}
        </Table.Tbody>
      </Table>
      <Group />
    </Stack>
  );
}
