import { Group, MultiSelect, Select, Stack, TagsInput, TextInput } from "@mantine/core";
import type { ChannelType, RuleConditions } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import type { RuleOptions } from "./options";

const CHANNELS: ChannelType[] = [
  "telegram",
  "whatsapp",
  "viber",
  "messenger",
  "instagram",
  "widget",
  "email",
  "api",
];

/** A list field: undefined when empty, so the condition is left out. */
const list = <T,>(v: T[]) => (v.length ? v : undefined);
const text = (v: string) => (v.trim() ? v : undefined);

/** The conditions of a rule: every one filled in must hold. */
export function ConditionsFields({
  value,
  onChange,
  options,
}: {
  value: RuleConditions;
  onChange: (c: RuleConditions) => void;
  options: RuleOptions;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<RuleConditions>) => onChange({ ...value, ...patch });
  const source = value.source?.[0];
  return (
    <Stack gap="xs">
      <Group grow align="flex-start">
        <MultiSelect
          label={t("rules.cond.channels")}
          data={CHANNELS.map((c) => ({ value: c, label: c }))}
          value={value.channels ?? []}
          onChange={(v) => set({ channels: list(v as ChannelType[]) })}
          clearable
        />
        <MultiSelect
          label={t("rules.cond.connections")}
          data={options.connections}
          value={value.connectionIds ?? []}
          onChange={(v) => set({ connectionIds: list(v) })}
          clearable
        />
      </Group>
      <Group grow align="flex-start">
        <TextInput
          label={t("rules.cond.textContains")}
          data-testid="cond-text-contains"
          value={value.textContains ?? ""}
          onChange={(e) => set({ textContains: text(e.currentTarget.value) })}
        />
        <TextInput
          label={t("rules.cond.textMatches")}
          description={t("rules.cond.textMatchesHint")}
          value={value.textMatches ?? ""}
          onChange={(e) => set({ textMatches: text(e.currentTarget.value) })}
        />
      </Group>
      <Group grow align="flex-start">
        <MultiSelect
          label={t("rules.cond.tags")}
          data={options.tags}
          value={value.contactTagIds ?? []}
          onChange={(v) => set({ contactTagIds: list(v) })}
          clearable
        />
        <Select
          label={t("rules.cond.hours")}
          clearable
          data={[
            { value: "within", label: t("rules.cond.within") },
            { value: "outside", label: t("rules.cond.outside") },
          ]}
          value={value.hours ?? null}
          onChange={(v) => set({ hours: (v as RuleConditions["hours"]) ?? undefined })}
        />
        <Select
          label={t("rules.cond.contact")}
          clearable
          data={[
            { value: "first", label: t("rules.cond.first") },
            { value: "returning", label: t("rules.cond.returning") },
          ]}
          value={value.contact ?? null}
          onChange={(v) => set({ contact: (v as RuleConditions["contact"]) ?? undefined })}
        />
      </Group>
      <Group grow align="flex-start">
        <TextInput
          label={t("rules.cond.sourceKey")}
          placeholder="utm_source"
          value={source?.key ?? ""}
          onChange={(e) => {
            const key = e.currentTarget.value;
            set({ source: key.trim() || source?.value ? [{ key, value: source?.value ?? "" }] : undefined });
          }}
        />
        <TextInput
          label={t("rules.cond.sourceValue")}
          value={source?.value ?? ""}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set({ source: v.trim() || source?.key ? [{ key: source?.key ?? "", value: v }] : undefined });
          }}
        />
      </Group>
      <TagsInput
        label={t("rules.cond.languages")}
        description={t("rules.cond.languagesHint")}
        data-testid="cond-languages"
        placeholder="en, ru, pt-BR"
        maxTags={20}
        splitChars={[",", " "]}
        value={value.languages ?? []}
        onChange={(v) => set({ languages: list(v.map((l) => l.trim()).filter(Boolean)) })}
        clearable
      />
    </Stack>
  );
}
