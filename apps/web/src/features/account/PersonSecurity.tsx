import { Alert, Button, CopyButton, Group, Modal, Stack, TextInput } from "@mantine/core";
import type { User } from "@parley/protocol";
import { IconCopy } from "@tabler/icons-react";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";
import { SessionsList } from "./SessionsList";

/** An admin's sign-in tools for one person of the People panel: their devices, and a reset link to hand over. */
export function PersonSecurity({ user }: { user: User }) {
  const { t, i18n } = useTranslation();
  const [devices, setDevices] = useState(false);
  const link = useMutation({
    mutationFn: () =>
      data(client.POST("/api/users/{id}/password-reset-link", { params: { path: { id: user.id } } })),
    onError: (err) => showErrorWithReason(t, err),
  });
  return (
    <>
      <Button
        size="compact-sm"
        variant="default"
        onClick={() => setDevices(true)}
        data-testid="user-sessions"
      >
        {t("security.admin.sessions")}
      </Button>
      {user.status === "active" ? (
        <Button
          size="compact-sm"
          variant="default"
          loading={link.isPending}
          onClick={() => link.mutate()}
          data-testid="user-reset-link"
        >
          {t("security.admin.resetLink")}
        </Button>
      ) : null}
      <Modal
        opened={devices}
        onClose={() => setDevices(false)}
        title={t("security.admin.sessionsTitle", { name: user.name })}
        size="lg"
      >
        {devices ? <SessionsList userId={user.id} /> : null}
      </Modal>
      <Modal
        opened={link.isSuccess}
        onClose={() => link.reset()}
        title={t("security.admin.resetTitle", { name: user.name })}
        size="lg"
      >
        {link.data ? (
          <Stack>
            <Alert variant="light">
              {t("security.admin.resetHint", {
                name: user.name,
                time: fullDateTime(link.data.expiresAt, i18n.language),
              })}
            </Alert>
            <Group gap="xs" wrap="nowrap">
              <TextInput
                readOnly
                value={link.data.url}
                style={{ flex: 1 }}
                aria-label={t("security.admin.copy")}
                data-testid="reset-link"
                onFocus={(e) => e.currentTarget.select()}
              />
              <CopyButton value={link.data.url}>
                {({ copied, copy }) => (
                  <Button variant="default" leftSection={<IconCopy size={16} />} onClick={copy}>
                    {copied ? t("security.admin.copied") : t("security.admin.copy")}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        ) : null}
      </Modal>
    </>
  );
}
