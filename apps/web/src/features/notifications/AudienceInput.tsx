import { Group, MultiSelect } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Audience } from "./api";
import { ROLES } from "./options";

/** Who a rule or a policy applies to: roles and people; nothing chosen means everyone. */
export function AudienceInput({
  label,
  value,
  onChange,
  users,
}: {
  label: string;
  value: Audience | null;
  onChange: (a: Audience | null) => void;
  users: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const a = value ?? { roles: [], teamIds: [], userIds: [] };
  const set = (next: Audience) =>
    onChange(next.roles.length || next.teamIds.length || next.userIds.length ? next : null);
  return (
    <Group gap="xs" align="end">
      <MultiSelect
        label={`${label}: ${t("notify.rules.roles")}`}
        placeholder={value ? undefined : t("notify.rules.everyone")}
        data={ROLES.map((r) => ({ value: r, label: t(`account.roles.${r}`) }))}
        value={a.roles}
        onChange={(roles) => set({ ...a, roles })}
        w={220}
      />
      <MultiSelect
        label={t("notify.rules.users")}
        searchable
        data={users}
        value={a.userIds}
        onChange={(userIds) => set({ ...a, userIds })}
        w={220}
      />
    </Group>
  );
}
