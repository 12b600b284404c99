import { Alert, Badge, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconUserPlus } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { del, get, post } from "../../api/client";
import type { Session } from "../../api/queries";
import type { Answer } from "../../api/types";
import { errorWithReason } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";
import { useRoles } from "../roles/roles-api";
import { CopyLinkField } from "./CopyLinkField";
import { assignableRoles } from "./users-roles";

type InvitationsAnswer = Answer<"/api/invitations">;
const invitationsKey = ["invitations"] as const;

/** Invites someone by e-mail with a role (the link is shown when no e-mail goes out) and lists open invitations. */
export function InvitationsPanel({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const onError = (err: unknown) => showErrorWithReason(t, err);
  const list = useQuery({
    queryKey: invitationsKey,
    queryFn: () => get<InvitationsAnswer>("/api/invitations").then((r) => r.invitations),
  });
  const [email, setEmail] = useState("");
  // A built-in role, or `custom:<id>` for one of the workspace's custom roles.
  const [role, setRole] = useState<string>("agent");
  const custom = (useRoles().data ?? []).filter((r) => !r.builtIn);
  const [created, setCreated] = useState<{ email: string; url: string; emailed: boolean } | null>(null);
  const invite = useMutation({
    mutationFn: () =>
      post<Answer<"/api/invitations", "post">>("/api/invitations", {
        email,
        ...(role.startsWith("custom:") ? { customRoleId: role.slice(7) } : { role }),
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
  const roles = assignableRoles(session.user.role);
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
            data={[
              ...roles.map((r) => ({ value: r, label: t(`account.roles.${r}`) })),
              ...custom.map((r) => ({ value: `custom:${r.id}`, label: r.name })),
            ]}
            value={role}
            allowDeselect={false}
            onChange={(v) => v && setRole(v)}
            w={180}
            data-testid="invite-role"
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
            <CopyLinkField
              url={created.url}
              copyLabel={t("account.users.copy")}
              copiedLabel={t("account.users.copied")}
              testId="invite-link"
            />
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
                <Badge variant="light">{i.customRole?.name ?? t(`account.roles.${i.role}`)}</Badge>
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
