import {
  ActionIcon,
  Alert,
  Checkbox,
  Group,
  Menu,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { ALL_PERMISSIONS, type Permission } from "@parley/protocol";
import { IconDots, IconLock, IconPencil, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { CreateRoleForm, DeleteRoleModal, RenameRoleModal } from "./RoleDialogs";
import { permissionKey, type RoleView, useRoleMutations, useRoleName, useRoles } from "./roles-api";

/**
 * `/settings/roles` (people.manage, R801): permissions × roles. Owners' and admins' columns are ticked and
 * locked; one's own role is locked too, and nobody ticks a right they do not hold (the server refuses both).
 */
export default function RolesPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = can(session, "people.manage");
  const roles = useRoles(allowed);
  const roleName = useRoleName();
  const { setPermissions } = useRoleMutations();
  const [renaming, setRenaming] = useState<RoleView | null>(null);
  const [deleting, setDeleting] = useState<RoleView | null>(null);
  if (!allowed)
    return (
      <PageShell session={session}>
        <Alert color="orange">{t("roles.forbidden")}</Alert>
      </PageShell>
    );
  const list = roles.data ?? [];
  const mine = session.user.customRole?.id ?? session.user.role;
  const toggle = (r: RoleView, p: Permission, on: boolean) =>
    setPermissions.mutate({
      id: r.id,
      permissions: on
        ? [...(r.permissions as Permission[]), p]
        : (r.permissions as Permission[]).filter((x) => x !== p),
    });
  const lockReason = (r: RoleView) =>
    r.locked ? t("roles.locked") : r.id === mine ? t("roles.yours") : null;

  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <div>
          <Title order={2}>{t("roles.title")}</Title>
          <Text c="dimmed" size="sm">
            {t("roles.subtitle")}
          </Text>
        </div>
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="xs" striped data-testid="roles-matrix">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("roles.permission")}</Table.Th>
                  {list.map((r) => (
                    <Table.Th key={r.id} ta="center" data-testid={`role-column-${r.builtIn ? r.id : r.name}`}>
                      <Group gap={4} justify="center" wrap="nowrap">
                        <Text size="sm" fw={600}>
                          {roleName(r)}
                        </Text>
                        {lockReason(r) ? (
                          <Tooltip label={lockReason(r)}>
                            <IconLock size={14} aria-label={lockReason(r) ?? undefined} />
                          </Tooltip>
                        ) : null}
                        {!r.builtIn && r.id !== mine ? (
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <ActionIcon variant="subtle" color="gray" size="sm" aria-label={roleName(r)}>
                                <IconDots size={14} />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item
                                leftSection={<IconPencil size={14} />}
                                onClick={() => setRenaming(r)}
                              >
                                {t("roles.rename")}
                              </Menu.Item>
                              <Menu.Item
                                color="red"
                                leftSection={<IconTrash size={14} />}
                                onClick={() => setDeleting(r)}
                                data-testid="role-delete"
                              >
                                {t("roles.delete")}
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        ) : null}
                      </Group>
                      <Text size="xs" c="dimmed" fw={400}>
                        {t("roles.members", { count: r.members })}
                      </Text>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {ALL_PERMISSIONS.map((p) => (
                  <Table.Tr key={p}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {t(`roles.perms.${permissionKey(p)}.name`)}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t(`roles.perms.${permissionKey(p)}.hint`)}
                      </Text>
                    </Table.Td>
                    {list.map((r) => {
                      const held = r.permissions.includes(p);
                      // Unticking is always offered; ticking only a right the caller holds.
                      const disabled =
                        !!lockReason(r) || (!held && !can(session, p)) || setPermissions.isPending;
                      return (
                        <Table.Td key={r.id}>
                          <Group justify="center">
                            <Checkbox
                              checked={held}
                              disabled={disabled}
                              onChange={(e) => toggle(r, p, e.currentTarget.checked)}
                              aria-label={`${roleName(r)}: ${t(`roles.perms.${permissionKey(p)}.name`)}`}
                              data-testid={`perm-${r.builtIn ? r.id : r.name}-${p}`}
                            />
                          </Group>
                        </Table.Td>
                      );
                    })}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
        <CreateRoleForm roles={list} />
      </Stack>
      <RenameRoleModal key={renaming?.id ?? "none"} role={renaming} onClose={() => setRenaming(null)} />
      <DeleteRoleModal role={deleting} roles={list} onClose={() => setDeleting(null)} />
    </PageShell>
  );
}
