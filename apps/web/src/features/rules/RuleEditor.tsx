import {
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { RuleTrigger } from "@parley/protocol";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ActionsFields } from "./ActionsFields";
import { ConditionsFields } from "./ConditionsFields";
import { useRuleOptions } from "./options";
import { type RuleDraft, useDryRun, useSaveRule } from "./rules-api";

/** The dry run: which recent conversations the conditions match now, without acting. */
function DryRunPanel({ draft }: { draft: RuleDraft }) {
  const { t } = useTranslation();
  const dry = useDryRun();
  const result = dry.data;
  return (
    <Card withBorder data-testid="dry-run">
      <Group justify="space-between">
        <Title order={5}>{t("rules.dryRun.title")}</Title>
        <Button
          variant="light"
          size="xs"
          loading={dry.isPending}
          onClick={() => dry.mutate(draft.conditions)}
        >
          {t("rules.dryRun.run")}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {t("rules.dryRun.hint")}
      </Text>
      {result ? (
        <Stack gap="xs" mt="xs">
          <Text size="sm" data-testid="dry-run-summary">
            {t("rules.dryRun.summary", { matched: result.matches.length, checked: result.checked })}
          </Text>
          {result.matches.length ? (
            <Table>
              <Table.Tbody>
                {result.matches.map((m) => (
                  <Table.Tr key={m.conversationId} data-testid={`dry-run-${m.number}`}>
                    <Table.Td>#{m.number}</Table.Td>
                    <Table.Td>{m.contactName ?? "—"}</Table.Td>
                    <Table.Td>
                      <Badge variant="light">{m.channel}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={1}>
                        {m.text ?? ""}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : null}
        </Stack>
      ) : null}
    </Card>
  );
}

/** The editor of one rule: trigger, conditions, actions, stop-processing, and the dry run. */
export function RuleEditor({
  id,
  initial,
  onDone,
}: {
  id: string | null;
  initial: RuleDraft;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<RuleDraft>(initial);
  const options = useRuleOptions();
  const save = useSaveRule();
  const set = (patch: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <Card withBorder data-testid="rule-editor">
      <Stack>
        <Title order={4}>{id ? t("rules.editTitle") : t("rules.newTitle")}</Title>
        <Group grow align="flex-start">
          <TextInput
            label={t("rules.name")}
            data-testid="rule-name"
            required
            value={draft.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
          />
          <Select
            label={t("rules.trigger")}
            data-testid="rule-trigger"
            allowDeselect={false}
            data={RuleTrigger.options.map((tr) => ({ value: tr, label: t(`rules.triggers.${tr}`) }))}
            value={draft.trigger}
            onChange={(v) => v && set({ trigger: v as RuleDraft["trigger"] })}
          />
          {draft.trigger === "no_reply" ? (
            <NumberInput
              label={t("rules.minutes")}
              min={1}
              max={10080}
              value={draft.minutes ?? ""}
              onChange={(v) => set({ minutes: typeof v === "number" ? v : null })}
            />
          ) : null}
          {draft.trigger === "time_limit_reached" ? (
            <Select
              label={t("rules.timeLimit")}
              description={t("rules.timeLimitHint")}
              data-testid="rule-time-limit"
              allowDeselect={false}
              data={(["warning", "overdue"] as const).map((l) => ({
                value: l,
                label: t(`rules.timeLimits.${l}`),
              }))}
              value={draft.timeLimit ?? "overdue"}
              onChange={(v) => v && set({ timeLimit: v as RuleDraft["timeLimit"] })}
            />
          ) : null}
        </Group>
        <Title order={5}>{t("rules.conditionsTitle")}</Title>
        <ConditionsFields
          value={draft.conditions}
          onChange={(c) => set({ conditions: c })}
          options={options}
        />
        <Title order={5}>{t("rules.actionsTitle")}</Title>
        <ActionsFields value={draft.actions} onChange={(a) => set({ actions: a })} options={options} />
        <Switch
          label={t("rules.stopProcessing")}
          checked={draft.stopProcessing}
          onChange={(e) => set({ stopProcessing: e.currentTarget.checked })}
        />
        <DryRunPanel draft={draft} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t("rules.cancel")}
          </Button>
          <Button
            data-testid="rule-save"
            loading={save.isPending}
            onClick={() => save.mutate({ id, draft }, { onSuccess: onDone })}
          >
            {t("rules.save")}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
