import { Alert, Badge, Button, Code, Group, Modal, Stack, Table, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconKey } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { showError } from "../../lib/notify";
import { PageShell } from "../layout/AppHeader";
import { type ApiToken, listTokens, revokeToken, tokensKey } from "./api-tokens-api";
import { CreateTokenModal } from "./CreateTokenModal";

/**
 * `/settings/api` (R806, with api.manage): the workspace's API tokens — their permissions, who made them, expiry
 * and last use — creating one (its secret shown once) and revoking one after a confirmation.
 */
export default function ApiTokensPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = session.permissions.includes("api.manage");
  const tokens = useQuery({ queryKey: tokensKey, queryFn: listTokens, enabled: allowed });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  if (!allowed)
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("apiTokens.noAccess")}</Alert>
      </PageShell>
    );
  return (
    <PageShell session={session} wide>
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={3}>{t("apiTokens.title")}</Title>
          <Button
            leftSection={<IconKey size={16} />}
            onClick={() => setCreating(true)}
            data-testid="token-create"
          >
            {t("apiTokens.create")}
          </Button>
        </Group>
        <Text c="dimmed" size="sm">
          {t("apiTokens.intro")}
        </Text>
        {tokens.data?.length === 0 ? <Text c="dimmed">{t("apiTokens.empty")}</Text> : null}
        {tokens.data?.length ? <TokenTable tokens={tokens.data} onRevoke={setRevoking} /> : null}
      </Stack>
      <CreateTokenModal opened={creating} onClose={() => setCreating(false)} held={session.permissions} />
      <RevokeModal token={revoking} onClose={() => setRevoking(null)} />
    </PageShell>
  );
}

const COLUMNS = [
  "name",
  "prefix",
  "permissions",
  "createdBy",
  "created",
  "expires",
  "lastUsed",
  "status",
] as const;

function TokenTable({ tokens, onRevoke }: { tokens: ApiToken[]; onRevoke: (t: ApiToken) => void }) {
  const { t, i18n } = useTranslation();
  const when = (iso: string | null) =>
    iso ? new Date(iso).toLocaleString(i18n.language) : t("apiTokens.never");

  return (
    <Table striped data-testid="token-table">
      <Table.Thead>
        <Table.Tr>
          {COLUMNS.map((k) => (
            <Table.Th key={k}>{t(`apiTokens.columns.${k}`)}</Table.Th>
          ))}
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {tokens.map((tok) => {
          const expired = !tok.revokedAt && tok.expiresAt !== null && new Date(tok.expiresAt) <= new Date();
          return (
            <Table.Tr key={tok.id} data-testid="token-row">
              <Table.Td>{tok.name}</Table.Td>
              <Table.Td>
                <Code>{tok.prefix}…</Code>
              </Table.Td>
              <Table.Td>
                <Text size="xs">
                  {tok.permissions.map((p) => t(`apiTokens.permissions.${p}`)).join(", ")}
                </Text>
              </Table.Td>
              <Table.Td>{tok.createdBy?.name ?? ""}</Table.Td>
              <Table.Td>{when(tok.createdAt)}</Table.Td>
              <Table.Td>{when(tok.expiresAt)}</Table.Td>
              <Table.Td>
                {tok.lastUsedAt
                  ? t("apiTokens.lastUsedFrom", { time: when(tok.lastUsedAt), ip: tok.lastUsedIp ?? "?" })
                  : t("apiTokens.notUsed")}
              </Table.Td>
              <Table.Td>
                {tok.revokedAt ? (
                  <Badge color="gray" data-testid="token-status">
                    {t("apiTokens.revoked")}
                  </Badge>
                ) : expired ? (
                  <Badge color="orange" data-testid="token-status">
                    {t("apiTokens.expired")}
                  </Badge>
                ) : (
                  <Badge color="teal" data-testid="token-status">
                    {t("apiTokens.active")}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                {tok.revokedAt ? null : (
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    onClick={() => onRevoke(tok)}
                    data-testid="token-revoke"
                  >
                    {t("apiTokens.revoke")}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

function RevokeModal({ token, onClose }: { token: ApiToken | null; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => revokeToken(id),
    onSuccess: (r) => {
      notifications.show({ color: "teal", message: t("apiTokens.revokedNotice", { name: r.token.name }) });
      void qc.invalidateQueries({ queryKey: tokensKey });
      onClose();
    },
    onError: (err) => showError(t, err),
  });
  return (
    <Modal
      opened={token !== null}
      onClose={onClose}
      title={t("apiTokens.revokeTitle", { name: token?.name ?? "" })}
    >
      <Stack gap="md">
        <Text size="sm">{t("apiTokens.revokeText")}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("apiTokens.cancel")}
          </Button>
          <Button
            color="red"
            loading={revoke.isPending}
            onClick={() => token && revoke.mutate(token.id)}
            data-testid="token-revoke-confirm"
          >
            {t("apiTokens.revokeConfirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
