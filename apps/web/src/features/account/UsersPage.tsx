import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  CopyButton,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Role, User } from "@parley/protocol";
import { IconCopy, IconTrash, IconUserPlus, IconX } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, patch, post, put } from "../../api/client";
import { keys, type Session, useUsers } from "../../api/queries";
import { errorWithReason } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { isAdminRole, PageShell } from "../layout/AppHeader";
import { UserAvatar } from "./UserAvatar";

interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  acceptedAt: string | null;
}
interface Team {
  id: string;
  name: string;
  memberIds: string[];
}
const teamsKey = ["teams"] as const;
const invitationsKey = ["invitations"] as const;

/** /settings/users (admins): people with their roles and status, invitations, and teams. */
export default function UsersPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  if (!isAdminRole(session.user.role)) {
    return (
      <PageShell session={session}>
        <Alert color="orange">{t("account.users.forbidden")}</Alert>
      </PageShell>
    );
  }
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <Title order={2}>{t("account.users.title")}</Title>
        <People session={session} />
        <Invitations session={session} />
        <Teams />
      </Stack>
    </PageShell>
  );
}

function useOnError() {
  const { t } = useTranslation();
  return (err: unknown) => notifications.show({ color: "red", message: errorWithReason(t, err) });
}

function People({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const users = useUsers();
  const onError = useOnError();
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { role?: string; status?: string } }) =>
      patch<{ user: User }>(`/api/users/${id}`, body),
    onSuccess: ({ user }) => {
      qc.setQueryData<User[]>(keys.users, (list) => list?.map((u) => (u.id === user.id ? user : u)));
      notifications.show({ color: "green", message: t("account.users.updated") });
    },
    onError,
  });
  const me = session.user;
  const roles: Role[] = me.role === "owner" ? ["admin", "supervisor", "agent"] : ["supervisor", "agent"];
  const editable = (u: User) =>
    u.id !== me.id && u.role !== "owner" && (me.role === "owner" || u.role !== "admin");

  return (
    <Paper withBorder p="lg" radius="md">
      <Title order={3} size="h4" mb="md">
        {t("account.users.people")}
      </Title>
      <Table.ScrollContainer minWidth={640}>
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
                      data={roles.map((r) => ({ value: r, label: t(`account.roles.${r}`) }))}
                      value={u.role}
                      allowDeselect={false}
                      onChange={(role) =>
                        role && role !== u.role && update.mutate({ id: u.id, body: { role } })
                      }
                      data-testid="user-role"
                    />
                  ) : (
                    <Text size="sm">{t(`account.roles.${u.role}`)}</Text>
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
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function Invitations({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const onError = useOnError();
  const list = useQuery({
    queryKey: invitationsKey,
    queryFn: () => get<{ invitations: Invitation[] }>("/api/invitations").then((r) => r.invitations),
  });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [created, setCreated] = useState<{ email: string; url: string; emailed: boolean } | null>(null);
  const invite = useMutation({
    mutationFn: () =>
      post<{ invitation: Invitation; acceptUrl: string; emailed: boolean }>("/api/invitations", {
        email,
        role,
      }),
    onSuccess: (r) => {
      setCreated({ email: r.invitation.email, url: r.acceptUrl, emailed: r.emailed });
      setEmail("");
      void qc.invalidateQueries({ queryKey: invitationsKey });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => del(`/api/invitations/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: invitationsKey }),
    onError,
  });
  const roles: Role[] =
    session.user.role === "owner" ? ["admin", "supervisor", "agent"] : ["supervisor", "agent"];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  const pending = (list.data ?? []).filter((i) => !i.acceptedAt);

  return (
    <Paper withBorder p="lg" radius="md">
      <Title order={3} size="h4" mb="md">
        {t("account.users.inviteTitle")}
      </Title>
      <form onSubmit={submit}>
        <Group align="flex-end" wrap="wrap">
          <TextInput
            type="email"
            required
            label={t("account.users.inviteEmail")}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            style={{ flex: 1, minWidth: 220 }}
            data-testid="invite-email"
          />
          <Select
            label={t("account.users.inviteRole")}
            data={roles.map((r) => ({ value: r, label: t(`account.roles.${r}`) }))}
            value={role}
            allowDeselect={false}
            onChange={(v) => v && setRole(v as Role)}
            w={180}
          />
          <Button
            type="submit"
            leftSection={<IconUserPlus size={16} />}
            loading={invite.isPending}
            data-testid="invite-submit"
          >
            {t("account.users.inviteSend")}
          </Button>
        </Group>
      </form>
      {invite.isError ? (
        <Alert color="red" variant="light" mt="md">
          {errorWithReason(t, invite.error)}
        </Alert>
      ) : null}
      {created ? (
        <Alert color="green" variant="light" mt="md">
          <Stack gap={6}>
            <Text size="sm" data-testid="invite-created">
              {created.emailed
                ? t("account.users.inviteEmailed", { email: created.email })
                : t("account.users.inviteLink", { email: created.email })}
            </Text>
            <Group gap="xs" wrap="nowrap">
              <TextInput
                readOnly
                value={created.url}
                style={{ flex: 1 }}
                aria-label={t("account.users.copy")}
                data-testid="invite-link"
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton value={created.url}>
                {({ copied, copy }) => (
                  <Button variant="default" leftSection={<IconCopy size={16} />} onClick={copy}>
                    {copied ? t("account.users.copied") : t("account.users.copy")}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Alert>
      ) : null}

      <Title order={4} size="h5" mt="lg" mb="xs">
        {t("account.users.invitations")}
      </Title>
      {pending.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("account.users.noInvitations")}
        </Text>
      ) : (
        <Stack gap={4}>
          {pending.map((i) => (
            <Group key={i.id} justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <Text size="sm">{i.email}</Text>
                <Badge variant="light">{t(`account.roles.${i.role}`)}</Badge>
                <Text size="xs" c="dimmed">
                  {t("account.users.expires", { date: fullDateTime(i.expiresAt, i18n.language) })}
                </Text>
              </Group>
              <Button size="compact-sm" variant="subtle" color="red" onClick={() => revoke.mutate(i.id)}>
                {t("account.users.revoke")}
              </Button>
            </Group>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function Teams() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const onError = useOnError();
  const users = useUsers();
  const teams = useQuery({
    queryKey: teamsKey,
    queryFn: () => get<{ teams: Team[] }>("/api/teams").then((r) => r.teams),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: teamsKey });
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => post("/api/teams", { name }),
    onSuccess: () => {
      setName("");
      void refresh();
    },
    onError,
  });
  const addMember = useMutation({
    mutationFn: ({ team, user }: { team: string; user: string }) => put(`/api/teams/${team}/members/${user}`),
    onSuccess: refresh,
    onError,
  });
  const removeMember = useMutation({
    mutationFn: ({ team, user }: { team: string; user: string }) => del(`/api/teams/${team}/members/${user}`),
    onSuccess: refresh,
    onError,
  });
  const remove = useMutation({
    mutationFn: (id: string) => del(`/api/teams/${id}`),
    onSuccess: refresh,
    onError,
  });
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <Paper withBorder p="lg" radius="md">
      <Title order={3} size="h4" mb="md">
        {t("account.users.teams")}
      </Title>
      <form onSubmit={submit}>
        <Group align="flex-end">
          <TextInput
            label={t("account.users.teamName")}
            required
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            style={{ flex: 1, minWidth: 200 }}
            data-testid="team-name"
          />
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            {t("account.users.createTeam")}
          </Button>
        </Group>
      </form>
      <Stack mt="md" gap="md">
        {(teams.data ?? []).length === 0 ? (
          <Text size="sm" c="dimmed">
            {t("account.users.noTeams")}
          </Text>
        ) : null}
        {(teams.data ?? []).map((team) => (
          <Paper key={team.id} withBorder p="sm" radius="md" data-testid={`team-${team.name}`}>
            <Group justify="space-between" mb="xs">
              <Text fw={600}>{team.name}</Text>
              <Tooltip label={t("account.users.deleteTeam")}>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t("account.users.deleteTeam")}
                  onClick={() => remove.mutate(team.id)}
                >
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
            <Group gap="xs" wrap="wrap">
              {team.memberIds.map((id) => {
                const u = byId.get(id);
                return (
                  <Badge
                    key={id}
                    variant="light"
                    size="lg"
                    tt="none"
                    rightSection={
                      <ActionIcon
                        size="xs"
                        variant="transparent"
                        aria-label={t("account.users.removeMember", { name: u?.name ?? "" })}
                        onClick={() => removeMember.mutate({ team: team.id, user: id })}
                      >
                        <IconX size={12} />
                      </ActionIcon>
                    }
                  >
                    {u?.name ?? id}
                  </Badge>
                );
              })}
              <Select
                size="xs"
                w={200}
                placeholder={t("account.users.addMember")}
                aria-label={t("account.users.addMember")}
                searchable
                value={null}
                data={(users.data ?? [])
                  .filter((u) => u.status === "active" && !team.memberIds.includes(u.id))
                  .map((u) => ({ value: u.id, label: u.name }))}
                onChange={(user) => user && addMember.mutate({ team: team.id, user })}
              />
            </Group>
          </Paper>
        ))}
      </Stack>
    </Paper>
  );
}
