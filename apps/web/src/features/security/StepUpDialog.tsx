import { Alert, Anchor, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { client, data, setStepUpHandler } from "../../api/client";
import { proofError } from "./security-api";

/** Settles the question the dialog is asking: true once confirmed, false when the person gave up. */
type Settle = (confirmed: boolean) => void;
/** What the person confirms with: the password, a code from the app, or a recovery code (spent). */
type Method = "password" | "code" | "recovery";
const METHODS: readonly Method[] = ["password", "code", "recovery"];
const SWITCH_LABEL = {
  password: "security.stepUp.usePassword",
  code: "security.stepUp.useCode",
  recovery: "security.signIn.useRecovery",
} as const;

/**
 * The one step-up dialog of the app, mounted once with the signed-in pages: every request that fails with
 * `step_up_required` opens it, and is sent again once the person has confirmed.
 */
export function StepUpDialog() {
  const { t } = useTranslation();
  const settle = useRef<Settle | null>(null);
  const pending = useRef<Promise<boolean> | null>(null);
  const [opened, setOpened] = useState(false);
  const [method, setMethod] = useState<Method>("password");
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
          body:
            method === "code"
              ? { code: value.trim() }
              : method === "recovery"
                ? { recoveryCode: value.trim() }
                : { password: value },
        }),
      ),
    onSuccess: (r) => {
      // A recovery code is spent: say how many are left (none: make new ones in the profile).
      if (r.recoveryCodesLeft !== null)
        notifications.show({
          color: r.recoveryCodesLeft === 0 ? "red" : "yellow",
          message:
            r.recoveryCodesLeft === 0
              ? t("security.recovery.lastUsed")
              : t("security.recovery.left", { count: r.recoveryCodesLeft }),
        });
      finish(true);
    },
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
          {method === "code" ? (
            <TextInput
              label={t("security.stepUp.code")}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              data-autofocus
              data-testid="step-up-code"
            />
          ) : method === "recovery" ? (
            <TextInput
              label={t("security.signIn.recoveryCode")}
              autoComplete="off"
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
              data-autofocus
              data-testid="step-up-recovery"
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
          <Group gap="md">
            {METHODS.filter((m) => m !== method).map((m) => (
              <Anchor
                key={m}
                component="button"
                type="button"
                size="sm"
                onClick={() => {
                  setMethod(m);
                  setValue("");
                  confirm.reset();
                }}
                data-testid={`step-up-use-${m}`}
              >
                {t(SWITCH_LABEL[m])}
              </Anchor>
            ))}
          </Group>
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
