import { ActionIcon, Button, Group, NumberInput, Select, Stack, Textarea, TextInput } from "@mantine/core";
import type { RuleAction, RuleActionType } from "@parley/protocol";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { RuleOptions, TemplateOption } from "./options";

type TemplateAction = Extract<RuleAction, { type: "template" }>;
const PARTS = ["header", "body", "buttons"] as const;

/** Each placeholder of a template: its part, its number there ({{n}}) and a key naming both. */
const placeholdersOf = (tpl: TemplateOption) =>
  PARTS.flatMap((part) =>
    Array.from({ length: tpl.variables[part] }, (_, i) => ({ part, n: i + 1, key: `${part}:${i + 1}` })),
  );

/** A template and a value for each of its placeholders, per part (header, body, buttons). */
function TemplateFields({
  action,
  onChange,
  templates,
}: {
  action: TemplateAction;
  onChange: (a: RuleAction) => void;
  templates: TemplateOption[];
}) {
  const { t } = useTranslation();
  const chosen = templates.find((x) => x.value === action.templateId);
  const pick = (id: string | null) => {
    const tpl = templates.find((x) => x.value === id);
    const blankOf = (n: number) => Array.from({ length: n }, () => "");
    onChange({
      type: "template",
      templateId: id ?? "",
      variables: {
        body: blankOf(tpl?.variables.body ?? 0),
        ...(tpl?.variables.header ? { header: blankOf(tpl.variables.header) } : {}),
        ...(tpl?.variables.buttons ? { buttons: blankOf(tpl.variables.buttons) } : {}),
      },
    });
  };
  const put = (part: (typeof PARTS)[number], i: number, v: string) => {
    const values = [...(action.variables[part] ?? [])];
    values[i] = v;
    onChange({ ...action, variables: { ...action.variables, [part]: values } });
  };
  return (
    <Stack gap={4} style={{ flex: 1 }}>
      <Select
        aria-label={t("rules.action.template")}
        placeholder={t("rules.action.template")}
        data-testid="action-template"
        data={templates}
        nothingFoundMessage={t("rules.action.noTemplates")}
        value={action.templateId || null}
        onChange={pick}
      />
      {(chosen ? placeholdersOf(chosen) : []).map(({ part, n, key }) => (
        <TextInput
          key={key}
          size="xs"
          aria-label={t("rules.action.variable", { part: t(`rules.action.parts.${part}`), n })}
          placeholder={t("rules.action.variable", { part: t(`rules.action.parts.${part}`), n })}
          value={action.variables[part]?.[n - 1] ?? ""}
          onChange={(e) => put(part, n - 1, e.currentTarget.value)}
        />
      ))}
    </Stack>
  );
}

const TYPES: RuleActionType[] = [
  "assign",
  "assign_bot",
  "add_tag",
  "remove_tag",
  "reply",
  "template",
  "note",
  "close",
  "mark_important",
  "snooze",
  "webhook",
];

/** A new action of a type, with nothing chosen yet (the server names what is missing). */
const blank = (type: RuleActionType): RuleAction =>
  (
    ({
      assign: { type: "assign" },
      add_tag: { type: "add_tag", tagId: "" },
      remove_tag: { type: "remove_tag", tagId: "" },
      reply: { type: "reply", cannedReplyId: "" },
      note: { type: "note", text: "" },
      close: { type: "close" },
      webhook: { type: "webhook", url: "" },
      template: { type: "template", templateId: "", variables: { body: [] } },
      assign_bot: { type: "assign_bot", botId: "" },
      mark_important: { type: "mark_important" },
      snooze: { type: "snooze", until: "for", minutes: 60 },
    }) as Record<RuleActionType, RuleAction>
  )[type];

function ActionFields({
  action,
  onChange,
  options,
}: {
  action: RuleAction;
  onChange: (a: RuleAction) => void;
  options: RuleOptions;
}) {
  const { t } = useTranslation();
  switch (action.type) {
    case "assign":
      return (
        <>
          <Select
            aria-label={t("rules.action.agent")}
            placeholder={t("rules.action.agent")}
            clearable
            data={options.users}
            value={action.userId ?? null}
            onChange={(v) => onChange({ ...action, userId: v ?? undefined })}
          />
          <Select
            aria-label={t("rules.action.team")}
            placeholder={t("rules.action.team")}
            clearable
            data={options.teams}
            value={action.teamId ?? null}
            onChange={(v) => onChange({ ...action, teamId: v ?? undefined })}
          />
        </>
      );
    case "add_tag":
    case "remove_tag":
      return (
        <Select
          aria-label={t("rules.action.tag")}
          placeholder={t("rules.action.tag")}
          data={options.tags}
          value={action.tagId || null}
          onChange={(v) => onChange({ ...action, tagId: v ?? "" })}
        />
      );
    case "reply":
      return (
        <Select
          aria-label={t("rules.action.canned")}
          placeholder={t("rules.action.canned")}
          data={options.canned}
          value={action.cannedReplyId || null}
          onChange={(v) => onChange({ ...action, cannedReplyId: v ?? "" })}
        />
      );
    case "note":
      return (
        <Textarea
          aria-label={t("rules.action.noteText")}
          placeholder={t("rules.action.noteText")}
          autosize
          minRows={1}
          style={{ flex: 1 }}
          value={action.text}
          onChange={(e) => onChange({ ...action, text: e.currentTarget.value })}
        />
      );
    case "webhook":
      return (
        <TextInput
          aria-label={t("rules.action.url")}
          placeholder="https://example.com/hook"
          style={{ flex: 1 }}
          value={action.url}
          onChange={(e) => onChange({ ...action, url: e.currentTarget.value })}
        />
      );
    case "template":
      return <TemplateFields action={action} onChange={onChange} templates={options.templates} />;
    case "assign_bot":
      return (
        <Select
          aria-label={t("rules.action.bot")}
          placeholder={t("rules.action.bot")}
          data-testid="action-bot"
          data={options.bots}
          value={action.botId || null}
          onChange={(v) => onChange({ ...action, botId: v ?? "" })}
        />
      );
    case "snooze":
      return <SnoozeFields action={action} onChange={onChange} />;
    case "close":
    case "mark_important":
      return null;
  }
}

type SnoozeAction = Extract<RuleAction, { type: "snooze" }>;

/** Snooze for minutes or hours (kept as minutes), or until the business hours open next. */
function SnoozeFields({ action, onChange }: { action: SnoozeAction; onChange: (a: RuleAction) => void }) {
  const { t } = useTranslation();
  const minutes = action.minutes ?? 60;
  // The unit is the editor's: 120 minutes reads as 2 hours until the person picks minutes.
  const [unit, setUnit] = useState<"minutes" | "hours">(minutes % 60 === 0 ? "hours" : "minutes");
  const inHours = unit === "hours";
  return (
    <Group gap="xs" align="flex-start">
      <Select
        aria-label={t("importantSnooze.rule.until")}
        w={260}
        allowDeselect={false}
        data-testid="action-snooze-until"
        data={(["for", "next_opening"] as const).map((u) => ({
          value: u,
          label: t(`importantSnooze.rule.${u}`),
        }))}
        value={action.until}
        onChange={(v) =>
          onChange(
            v === "next_opening"
              ? { type: "snooze", until: "next_opening" }
              : { type: "snooze", until: "for", minutes },
          )
        }
      />
      {action.until === "for" ? (
        <>
          <NumberInput
            aria-label={t("importantSnooze.rule.amount")}
            w={90}
            min={1}
            data-testid="action-snooze-amount"
            value={inHours ? Math.round(minutes / 60) : minutes}
            onChange={(v) => {
              const n = Math.max(1, Math.floor(Number(v) || 1));
              onChange({ ...action, minutes: inHours ? n * 60 : n });
            }}
          />
          <Select
            aria-label={t("importantSnooze.rule.unit")}
            w={110}
            allowDeselect={false}
            data={(["minutes", "hours"] as const).map((u) => ({
              value: u,
              label: t(`importantSnooze.rule.${u}`),
            }))}
            value={unit}
            onChange={(v) => {
              // The number stays as typed; what it counts changes.
              const n = inHours ? minutes / 60 : minutes;
              setUnit(v === "hours" ? "hours" : "minutes");
              onChange({
                ...action,
                minutes: v === "hours" ? Math.max(1, Math.round(n)) * 60 : Math.max(1, Math.round(n)),
              });
            }}
          />
        </>
      ) : null}
    </Group>
  );
}

/** The actions of a rule, done in order when it matches. */
export function ActionsFields({
  value,
  onChange,
  options,
}: {
  value: RuleAction[];
  onChange: (a: RuleAction[]) => void;
  options: RuleOptions;
}) {
  const { t } = useTranslation();
  const put = (i: number, a: RuleAction) => onChange(value.map((x, j) => (j === i ? a : x)));
  return (
    <Stack gap="xs">
      {value.map((action, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: actions have no identity of their own; the index is their place
        <Group key={i} gap="xs" align="flex-start" data-testid={`action-${i}`}>
          <Select
            aria-label={t("rules.action.type")}
            w={200}
            allowDeselect={false}
            data={TYPES.map((ty) => ({ value: ty, label: t(`rules.actions.${ty}`) }))}
            value={action.type}
            onChange={(v) => v && put(i, blank(v as RuleActionType))}
          />
          <ActionFields action={action} onChange={(a) => put(i, a)} options={options} />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={t("rules.action.remove")}
            disabled={value.length === 1}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          variant="light"
          size="xs"
          leftSection={<IconPlus size={14} />}
          disabled={value.length >= 10}
          onClick={() => onChange([...value, blank("note")])}
        >
          {t("rules.action.add")}
        </Button>
      </Group>
    </Stack>
  );
}
