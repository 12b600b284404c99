import { Button, Group, Modal, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import type { Permission } from "@parley/protocol";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type RoleView, useRoleMutations, useRoleName } from "./roles-api";

/** Creates a custom role from a name and a base: it starts with the base's current permissions. */
export function CreateRoleForm({ roles }: { roles: RoleView[] }) {
  const { t } = useTranslation();
  const { create } = useRoleMutations();
  const [name, setName] = useState("");
  const [base, setBase] = useState<"supervisor" | "agent">("agent");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const permissions = (roles.find((r) => r.id === base)?.permissions ?? []) as Permission[];
    create.mutate({ name: name.trim(), base, permissions }, { onSuccess: () => setName("") });
  };
  return (
    <Paper withBorder p="lg" radius="md">
      <Title order={3} size="h4" mb="sm">
        {t("roles.newRole")}
      </Title>
      <form onSubmit={submit}>
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label={t("roles.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={60}
            required
            data-testid="role-name"
          />
          <Select
            label={t("roles.base")}
            description={t("roles.baseHint")}
            data={(["supervisor", "agent"] as const).map((r) => ({
              value: r,
              label: t(`account.roles.${r}`),
            }))}
            value={base}
            allowDeselect={false}
            onChange={(v) => setBase(v === "supervisor" ? "supervisor" : "agent")}
            w={320}
          />
          <Button type="submit" loading={create.isPending} disabled={!name.trim()} data-testid="role-create">
            {t("roles.create")}
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

/** Renames a custom role (rendered with the role's id as key, so the field starts from its name). */
export function RenameRoleModal({ role, onClose }: { role: RoleView | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { rename } = useRoleMutations();
  const [name, setName] = useState(role?.name ?? "");
  return (
    <Modal opened={!!role} onClose={onClose} title={t("roles.rename")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (role) rename.mutate({ id: role.id, name: name.trim() }, { onSuccess: onClose });
        }}
      >
        <Stack>
          <TextInput
            label={t("roles.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={60}
            required
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("roles.cancel")}
            </Button>
            <Button type="submit" loading={rename.isPending} disabled={!name.trim()}>
              {t("roles.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Deletes a custom role; when people hold it, they are moved to the role chosen here. */
export function DeleteRoleModal({
  role,
  roles,
  onClose,
}: {
  role: RoleView | null;
  roles: RoleView[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const roleName = useRoleName();
  const { remove } = useRoleMutations();
  const [moveTo, setMoveTo] = useState<string>("agent");
  const targets = roles.filter((r) => !r.locked && r.id !== role?.id);
  return (
    <Modal opened={!!role} onClose={onClose} title={t("roles.deleteTitle", { name: role?.name ?? "" })}>
      <Stack>
        {role && role.members > 0 ? (
          <>
            <Text size="sm">{t("roles.deleteHeld", { count: role.members })}</Text>
            <Select
              label={t("roles.moveTo")}
              data={targets.map((r) => ({ value: r.id, label: roleName(r) }))}
              value={moveTo}
              allowDeselect={false}
              onChange={(v) => v && setMoveTo(v)}
            />
          </>
        ) : (
          <Text size="sm">{t("roles.deleteEmpty")}</Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("roles.cancel")}
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            data-testid="role-delete-confirm"
            onClick={() =>
              role &&
              remove.mutate(
                { id: role.id, moveTo: role.members > 0 ? moveTo : undefined },
                { onSuccess: onClose },
              )
            }
          >
            {t("roles.delete")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
