import { Button, Group } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Rule } from "./api";
import { emptyRule, RuleEditor } from "./RuleEditor";

/** Rules edited in place, by position, with a button to add one. */
export function RuleEditors({
  rules,
  onChange,
  withRecipients,
}: {
  rules: Rule[];
  onChange: (rules: Rule[]) => void;
  withRecipients: boolean;
}) {
  return rules.map((r, i) => (
    <RuleEditor
      // biome-ignore lint/suspicious/noArrayIndexKey: rules are edited in place, by position
      key={i}
      rule={r}
      withRecipients={withRecipients}
      onChange={(next) => onChange(rules.map((x, j) => (j === i ? next : x)))}
      onRemove={() => onChange(rules.filter((_, j) => j !== i))}
    />
  ));
}

/** "Add a rule" and "Save rules" side by side. */
export function RuleButtons({ onAdd, onSave }: { onAdd: () => void; onSave: () => void }) {
  const { t } = useTranslation();
  return (
    <Group>
      <Button variant="default" onClick={onAdd}>
        {t("notify.rules.add")}
      </Button>
      <Button onClick={onSave}>{t("notify.rules.saveRules")}</Button>
    </Group>
  );
}

export const withNewRule = (rules: Rule[]) => [...rules, emptyRule()];
