import { ActionIcon, Checkbox, Group, NumberInput, Paper, Select } from "@mantine/core";
import { IconTrash } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { useConnections } from "../../api/channels";
import { useTags } from "../../api/log";
import { useUsers } from "../../api/queries";
import { AudienceInput } from "./AudienceInput";
import type { Rule } from "./api";
import { MEANS, meansKey } from "./options";

export const emptyRule = (): Rule => ({
  match: "all",
  tagId: null,
  connectionId: null,
  means: ["inApp"],
  timing: "immediate",
  delayMinutes: 0,
  recipients: null,
});

/** One read-notification rule: which messages, by which means, when, and (workspace rules) to whom. */
export function RuleEditor({
  rule,
  onChange,
  onRemove,
  withRecipients,
}: {
  rule: Rule;
  onChange: (r: Rule) => void;
  onRemove: () => void;
  withRecipients: boolean;
}) {
  const { t } = useTranslation();
  const tags = useTags();
  const connections = useConnections();
  const users = useUsers();
  return (
    <Paper withBorder p="sm">
      <Group align="end" wrap="wrap">
        <Select
          label={t("notify.rules.match")}
          data={(["all", "important", "tag", "channel"] as const).map((v) => ({
            value: v,
            label: t(`notify.rules.matches.${v}`),
          }))}
          value={rule.match}
          onChange={(v) => v && onChange({ ...rule, match: v as Rule["match"] })}
          w={200}
        />
        {rule.match === "tag" ? (
          <Select
            label={t("notify.rules.tag")}
            data={(tags.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={rule.tagId}
            onChange={(v) => onChange({ ...rule, tagId: v })}
            w={180}
          />
        ) : null}
        {rule.match === "channel" ? (
          <Select
            label={t("notify.rules.channel")}
            data={(connections.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={rule.connectionId}
            onChange={(v) => onChange({ ...rule, connectionId: v })}
            w={180}
          />
        ) : null}
        <Checkbox.Group
          label={t("notify.rules.how")}
          value={rule.means}
          onChange={(v) => onChange({ ...rule, means: v as Rule["means"] })}
        >
          <Group gap="xs" mt={6}>
            {MEANS.map((m) => (
              <Checkbox key={m} value={m} label={t(meansKey(m))} />
            ))}
          </Group>
        </Checkbox.Group>
        <Select
          label={t("notify.rules.when")}
          data={(["immediate", "delay", "daily", "weekly"] as const).map((v) => ({
            value: v,
            label: t(`notify.rules.timings.${v}`),
          }))}
          value={rule.timing}
          onChange={(v) =>
            v &&
            onChange({
              ...rule,
              timing: v as Rule["timing"],
              delayMinutes: v === "delay" ? Math.max(rule.delayMinutes, 15) : 0,
            })
          }
          w={180}
        />
        {rule.timing === "delay" ? (
          <NumberInput
            label={t("notify.rules.delayMinutes")}
            min={1}
            max={10080}
            value={rule.delayMinutes}
            onChange={(v) => onChange({ ...rule, delayMinutes: Number(v) || 1 })}
            w={140}
          />
        ) : null}
        {withRecipients ? (
          <AudienceInput
            label={t("notify.rules.recipients")}
            value={rule.recipients}
            onChange={(a) => onChange({ ...rule, recipients: a })}
            users={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          />
        ) : null}
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={t("notify.rules.remove")}
          onClick={onRemove}
          mb={4}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Group>
    </Paper>
  );
}
