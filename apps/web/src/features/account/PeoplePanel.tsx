import { Badge, Button, Group, Paper, Select, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { User } from "@parley/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { patch } from "../../api/client";
import { keys, type Session, useUsers } from "../../api/queries";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { rolesKey, useRoles } from "../roles/roles-api";
import { PersonSecurity } from "./PersonSecurity";
import { UserAvatar } from "./UserAvatar";
import { assignableRoles } from "./users-roles";

/** The workspace's people with their roles and status; an admin changes roles and (de)activates accounts. */
export function PeoplePanel({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const users = useUsers();
  const onError = (err: unknown) => showErrorWithReason(t, err);
  const update = useMutation({
    mutationFn: ({
      id,
      body,
    }: {
      id: string;
      body: { role?: string; customRoleId?: string; status?: string };
    }) => patch<Answer<"/api/users/{id}", "patch">>(`/api/users/${id}`, body),
    onSuccess: ({ user }) => {
      qc.setQueryData<User[]>(keys.users, (list) => list?.map((u) => (u.id === user.id ? user : u)));
      void qc.invalidateQueries({ queryKey: rolesKey });
      notifications.show({ color: "green", message: t("account.users.updated") });
    },
    onError,
  });
  const me = session.user;
  // Built-in roles by name, the workspace's custom roles as "custom:<id>".
  const custom = (useRoles().data ?? []).filter((r) => !r.builtIn);
  const roleOptions = [
    ...assignableRoles(me.role).map((r) => ({ value: r, label: t(`account.roles.${r}`) })),
    ...custom.map((r) => ({ value: `custom:${r.id}`, label: r.name })),
  ];
  const roleValue = (u: User) => (u.customRole ? `custom:${u.customRole.id}` : u.role);
  const setRole = (u: User, value: string | null) => {
    if (!value || value === roleValue(u)) return;
    const body = value.startsWith("custom:") ? { customRoleId: value.slice(7) } : { role: value };
    update.mutate({ id: u.id, body });
  };
  const editable = (u: User) =>
    u.id !== me.id && u.role !== "owner" && (me.role === "owner" || u.role !== "admin");
  const managesSignIn = (u: User) =>
    session.permissions.includes("people.manage") && (u.id === me.id || editable(u));

  return (
    <Paper withBorder p="lg" radius="md">
      <Title order={3} size="h4" mb="md">
        {t("account.users.people")}
      </Title>
      <Table.ScrollContainer minWidth={820}>
        <Table verticalSpacing="xs" data-testid="users-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("account.users.name")}</Table.Th>
              <Table.Th>{t("account.users.email")}</Table.Th>
              <Table.Th>{t("account.users.role")}</Table.Th>
              <Table.Th>{t("account.users.status")}</Table.Th>
              <Table.Th>
                <VisuallyHidden>{t("account.users.actions")}</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(users.data ?? []).map((u) => (
              <Table.Tr key={u.id} data-testid={`user-row-${u.email}`}>
                <Table.Td>
                  <Group gap="sm" wrap="nowrap">
                    <UserAvatar user={u} size={28} />
                    <Text size="sm" fw={500}>
                      {u.name}
                      {u.id === me.id ? (
                        <Text span c="dimmed" size="sm">
                          {" "}
                          ({t("account.users.you")})
                        </Text>
                      ) : null}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{u.email}</Text>
                </Table.Td>
                <Table.Td>
                  {editable(u) ? (
                    <Select
                      size="xs"
                      w={160}
                      aria-label={t("account.users.role")}
                      data={roleOptions}
                      value={roleValue(u)}
                      allowDeselect={false}
                      onChange={(value) => setRole(u, value)}
                      data-testid="user-role"
                    />
                  ) : (
                    <Text size="sm">{u.customRole?.name ?? t(`account.roles.${u.role}`)}</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={u.status === "active" ? "green" : u.status === "disabled" ? "gray" : "blue"}
                  >
                    {t(`account.users.${u.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap" justify="flex-end">
                    {managesSignIn(u) ? <PersonSecurity user={u} /> : null}
                    {editable(u) ? (
                      u.status === "disabled" ? (
                        <Button
                          size="compact-sm"
                          variant="default"
                          onClick={() => update.mutate({ id: u.id, body: { status: "active" } })}
                        >
                          {t("account.users.reactivate")}
                        </Button>
                      ) : (
                        <Button
                          size="compact-sm"
                          variant="light"
                          color="red"
                          data-testid="user-deactivate"
                          onClick={() => {
                            if (window.confirm(t("account.users.deactivateConfirm", { name: u.name })))
                              update.mutate({ id: u.id, body: { status: "disabled" } });
                          }}
                        >
                          {t("account.users.deactivate")}
                        </Button>
                      )
                    ) : null}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
