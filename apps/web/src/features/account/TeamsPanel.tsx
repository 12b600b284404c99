import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconTrash, IconX } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, post, put } from "../../api/client";
import { useUsers } from "../../api/queries";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";

type TeamsAnswer = Answer<"/api/teams">;
const teamsKey = ["teams"] as const;

/** Teams: created by name, deleted, and their members added or removed. */
export function TeamsPanel() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const onError = (err: unknown) => showErrorWithReason(t, err);
  const users = useUsers();
  const teams = useQuery({
    queryKey: teamsKey,
    queryFn: () => get<TeamsAnswer>("/api/teams").then((r) => r.teams),
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
