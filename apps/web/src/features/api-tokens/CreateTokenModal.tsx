import { Alert, Button, Checkbox, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Copyable } from "../../components/Copyable";
import { showError } from "../../lib/notify";
import {
  createToken,
  curlExample,
  EXPIRY_DAYS,
  type Expiry,
  expiresAtFor,
  type Permission,
  tokensKey,
} from "./api-tokens-api";

/** The form for a new token, then its secret, shown this once, with a copy button and an example request. */
export function CreateTokenModal({
  opened,
  onClose,
  held,
}: {
  opened: boolean;
  onClose: () => void;
  /** The permissions the person holds: the only ones a token of theirs may have. */
  held: readonly Permission[];
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Permission[]>([]);
  const [expiry, setExpiry] = useState<Expiry>("d90");
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      createToken({ name: name.trim(), permissions: chosen, expiresAt: expiresAtFor(expiry) }),
    onSuccess: (r) => {
      setSecret(r.secret);
      void qc.invalidateQueries({ queryKey: tokensKey });
    },
    onError: (err) => showError(t, err),
  });
  const close = () => {
    setName("");
    setChosen([]);
    setExpiry("d90");
    setSecret(null);
    onClose();
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={secret ? t("apiTokens.secret.title") : t("apiTokens.form.title")}
      size="lg"
    >
      {secret ? (
        <Stack gap="sm" data-testid="token-secret-panel">
          <Alert color="yellow">{t("apiTokens.secret.warning")}</Alert>
          <Copyable
            value={secret}
            testId="token-secret"
            copyLabel={t("apiTokens.secret.copy")}
            copiedLabel={t("apiTokens.secret.copied")}
          />
          <Text size="sm">{t("apiTokens.secret.example")}</Text>
          <Copyable
            value={curlExample(window.location.origin, secret)}
            testId="token-curl"
            copyLabel={t("apiTokens.secret.copy")}
            copiedLabel={t("apiTokens.secret.copied")}
          />
          <Group justify="flex-end">
            <Button onClick={close} data-testid="token-secret-done">
              {t("apiTokens.secret.done")}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack gap="sm">
            <TextInput
              label={t("apiTokens.form.name")}
              placeholder={t("apiTokens.form.namePlaceholder")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={100}
              required
              data-testid="token-name"
            />
            <Checkbox.Group
              label={t("apiTokens.form.permissions")}
              description={t("apiTokens.form.permissionsHint")}
              value={chosen}
              onChange={(v) => setChosen(v as Permission[])}
              error={create.isIdle || chosen.length ? undefined : t("apiTokens.form.needPermission")}
            >
              <Stack gap={6} mt="xs">
                {held.map((p) => (
                  <Checkbox
                    key={p}
                    value={p}
                    label={t(`apiTokens.permissions.${p}`)}
                    data-testid={`token-permission-${p}`}
                  />
                ))}
              </Stack>
            </Checkbox.Group>
            <Select
              label={t("apiTokens.form.expiry")}
              value={expiry}
              onChange={(v) => v && setExpiry(v as Expiry)}
              allowDeselect={false}
              data={(Object.keys(EXPIRY_DAYS) as Expiry[]).map((k) => ({
                value: k,
                label: t(`apiTokens.form.expiryOptions.${k}`),
              }))}
              data-testid="token-expiry"
            />
            <Group justify="flex-end">
              <Button
                type="submit"
                loading={create.isPending}
                disabled={!name.trim() || chosen.length === 0}
                data-testid="token-create-submit"
              >
                {t("apiTokens.form.submit")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
