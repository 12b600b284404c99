import { Alert, Checkbox, Paper, Stack, Text, Title } from "@mantine/core";
import type { Role } from "@parley/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import type { Session } from "../../api/queries";
import { showError } from "../../lib/notify";
import { toolKeys, useWorkspaceSettings } from "../inbox/inbox-tools-api";
import { PageShell } from "../layout/AppHeader";

const ROLES = ["owner", "admin", "supervisor", "agent"] as const satisfies readonly Role[];
/** Only the owner adds or removes these (the server checks it too). */
const OWNER_DECIDES: readonly Role[] = ["owner", "admin"];

/** /settings/security: which roles must use two-factor sign-in (R802). */
export default function SecurityPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const settings = useWorkspaceSettings();
  const roles: Role[] = settings.data?.twoFactorRoles ?? [];
  const save = useMutation({
    mutationFn: (next: Role[]) =>
      data(client.PUT("/api/workspace/two-factor-policy", { body: { roles: next } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: toolKeys.workspace }),
    onError: (err) => showError(t, err),
  });
  const isOwner = session.user.role === "owner";
  const toggle = (role: Role, on: boolean) =>
    save.mutate(on ? [...roles, role] : roles.filter((r) => r !== role));
  return (
    <PageShell session={session}>
      <Stack gap="lg" maw={640}>
        <Title order={2}>{t("security.page.title")}</Title>
        <Paper withBorder p="lg" radius="md">
          <Title order={3} size="h4" mb="xs">
            {t("security.policy.title")}
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            {t("security.policy.hint")}
          </Text>
          <Stack gap="sm" data-testid="two-factor-policy">
            {ROLES.map((role) => (
              <Checkbox
                key={role}
                label={t(`security.policy.roles.${role}`)}
                checked={roles.includes(role)}
                disabled={!settings.data || save.isPending || (OWNER_DECIDES.includes(role) && !isOwner)}
                onChange={(e) => toggle(role, e.currentTarget.checked)}
                data-testid={`policy-${role}`}
              />
            ))}
          </Stack>
          {!isOwner ? (
            <Alert color="gray" variant="light" mt="md">
              {t("security.policy.ownerOnly")}
            </Alert>
          ) : null}
        </Paper>
      </Stack>
    </PageShell>
  );
}
