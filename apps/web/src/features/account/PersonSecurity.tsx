import { Alert, Button, Modal, Stack } from "@mantine/core";
import type { User } from "@parley/protocol";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";
import { CopyLinkField } from "./CopyLinkField";
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
        {t("accountSecurity.admin.sessions")}
      </Button>
      {user.status === "active" ? (
        <Button
          size="compact-sm"
          variant="default"
          loading={link.isPending}
          onClick={() => link.mutate()}
          data-testid="user-reset-link"
        >
          {t("accountSecurity.admin.resetLink")}
        </Button>
      ) : null}
      <Modal
        opened={devices}
        onClose={() => setDevices(false)}
        title={t("accountSecurity.admin.sessionsTitle", { name: user.name })}
        size="lg"
      >
        {devices ? <SessionsList userId={user.id} /> : null}
      </Modal>
      <Modal
        opened={link.isSuccess}
        onClose={() => link.reset()}
        title={t("accountSecurity.admin.resetTitle", { name: user.name })}
        size="lg"
      >
        {link.data ? (
          <Stack>
            <Alert variant="light">
              {t("accountSecurity.admin.resetHint", {
                name: user.name,
                time: fullDateTime(link.data.expiresAt, i18n.language),
              })}
            </Alert>
            <CopyLinkField
              url={link.data.url}
              copyLabel={t("accountSecurity.admin.copy")}
              copiedLabel={t("accountSecurity.admin.copied")}
              testId="reset-link"
            />
          </Stack>
        ) : null}
      </Modal>
    </>
  );
}
