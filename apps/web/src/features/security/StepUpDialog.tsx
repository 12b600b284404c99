import { Alert, Anchor, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data, setStepUpHandler } from "../../api/client";
import { proofError } from "./security-api";

/** Settles the question the dialog is asking: true once confirmed, false when the person gave up. */
type Settle = (confirmed: boolean) => void;

/**
 * The one step-up dialog of the app, mounted once with the signed-in pages: every request that fails with
 * `step_up_required` opens it, and is sent again once the person has confirmed.
 */
export function StepUpDialog() {
  const { t } = useTranslation();
  const settle = useRef<Settle | null>(null);
  const pending = useRef<Promise<boolean> | null>(null);
  const [opened, setOpened] = useState(false);
  const [useCode, setUseCode] = useState(false);
  const [value, setValue] = useState("");

  useEffect(() => {
    const handler = () => {
      // Requests failing together share one dialog.
      pending.current ??= new Promise<boolean>((resolve) => {
        settle.current = resolve;
        setOpened(true);
      }).finally(() => {
        pending.current = null;
      });
      return pending.current;
    };
    setStepUpHandler(handler);
    return () => {
      setStepUpHandler(null);
    };
  }, []);

  const finish = (confirmed: boolean) => {
    setOpened(false);
    setValue("");
    confirm.reset();
    settle.current?.(confirmed);
    settle.current = null;
  };
  const confirm = useMutation({
    mutationFn: () =>
      data(
        client.POST("/api/auth/step-up", {
          body: useCode ? { code: value.trim() } : { password: value },
        }),
      ),
    onSuccess: () => finish(true),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate();
  };
  return (
    <Modal
      opened={opened}
      onClose={() => finish(false)}
      title={t("security.stepUp.title")}
      data-testid="step-up"
    >
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">{t("security.stepUp.hint")}</Text>
          {useCode ? (
            <TextInput
              label={t("security.stepUp.code")}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              data-autofocus
              data-testid="step-up-code"
            />
          ) : (
            <PasswordInput
              label={t("auth.password")}
              autoComplete="current-password"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
              data-autofocus
              data-testid="step-up-password"
            />
          )}
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setUseCode(!useCode);
              setValue("");
            }}
          >
            {useCode ? t("security.stepUp.usePassword") : t("security.stepUp.useCode")}
          </Anchor>
          {confirm.isError ? (
            <Alert color="red" variant="light" role="alert">
              {proofError(t, confirm.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => finish(false)}>
              {t("security.cancel")}
            </Button>
            <Button type="submit" loading={confirm.isPending} disabled={!value} data-testid="step-up-submit">
              {t("security.stepUp.confirm")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
