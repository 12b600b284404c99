import { Alert, Button, Group, NumberInput, PasswordInput, Stack, Text, TextInput } from "@mantine/core";
import { IconArrowLeft } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys } from "../../api/channels";
import { ApiError, post } from "../../api/client";
import { errorWithReason } from "../../lib/errors";

type Login = { id: string; step: "code" | "password"; passwordHint: string | null; expiresAt: string };
type StepResult = { login: Login | null; connection: Connection | null };

const REASONS = [
  "code_expired",
  "code_invalid",
  "password_invalid",
  "flood_wait",
  "phone_invalid",
  "phone_unoccupied",
  "phone_banned",
  "api_invalid",
  "restart",
  "unreachable",
] as const;

/** "try again in 7 minutes" in the admin's language, from the seconds Telegram asked to wait. */
function waitText(t: TFunction, seconds: number): string {
  if (seconds < 120) return t("telegramUser.wait.seconds", { count: seconds });
  if (seconds < 7200) return t("telegramUser.wait.minutes", { count: Math.ceil(seconds / 60) });
  return t("telegramUser.wait.hours", { count: Math.ceil(seconds / 3600) });
}

/** What went wrong in the admin's words: Telegram's reason when the server named one, else the usual text. */
function loginErrorText(t: TFunction, err: unknown): string {
  const details =
    err instanceof ApiError ? (err.details as { reason?: string; seconds?: number } | undefined) : undefined;
  const reason = REASONS.find((r) => r === details?.reason);
  if (!reason) return errorWithReason(t, err);
  return t(`telegramUser.errors.${reason}`, { wait: waitText(t, details?.seconds ?? 60) });
}

const reasonOf = (err: unknown) =>
  err instanceof ApiError ? (err.details as { reason?: string } | undefined)?.reason : undefined;

/**
 * Connecting (or reconnecting) a personal Telegram account: api_id, api_hash and the phone number → the login
 * code Telegram sends → the cloud password when the account has one. Each step is kept by the server.
 */
export function TelegramUserConnect({
  defaultName,
  connectionId,
  onBack,
  onDone,
}: {
  defaultName: string;
  connectionId?: string;
  onBack?: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(defaultName);
  const [apiId, setApiId] = useState<string | number>("");
  const [apiHash, setApiHash] = useState("");
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [login, setLogin] = useState<Login | null>(null);
  const [connected, setConnected] = useState<Connection | null>(null);

  const finish = (r: StepResult) => {
    if (r.connection) {
      setConnected(r.connection);
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
    } else setLogin(r.login);
  };
  const start = useMutation({
    mutationFn: () =>
      post<{ login: Login }>("/api/telegram-user/logins", {
        name: name.trim(),
        apiId: Number(apiId),
        apiHash: apiHash.trim(),
        phone: phone.trim(),
        ...(connectionId ? { connectionId } : {}),
      }),
    onSuccess: (r) => {
      setCode("");
      setLogin(r.login);
    },
  });
  const sendCode = useMutation({
    mutationFn: () => post<StepResult>(`/api/telegram-user/logins/${login!.id}/code`, { code: code.trim() }),
    onSuccess: finish,
    onError: (err) => {
      if (reasonOf(err) === "restart") setLogin(null);
    },
  });
  const sendPassword = useMutation({
    mutationFn: () => post<StepResult>(`/api/telegram-user/logins/${login!.id}/password`, { password }),
    onSuccess: finish,
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!login) start.mutate();
    else if (login.step === "code") sendCode.mutate();
    else sendPassword.mutate();
  };
  const error = !login ? start.error : login.step === "code" ? sendCode.error : sendPassword.error;
  const expired = login?.step === "code" && reasonOf(sendCode.error) === "code_expired";

  if (connected)
    return (
      <Stack>
        <Alert color="teal" variant="light" data-testid="tg-user-connected">
          {t("telegramUser.connected", { name: connected.name })}
        </Alert>
        <Group justify="flex-end">
          <Button onClick={onDone} data-testid="tg-user-done">
            {t("telegramUser.done")}
          </Button>
        </Group>
      </Stack>
    );

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {!login ? (
          <>
            <Text size="sm" c="dimmed">
              {t("telegramUser.intro")}
            </Text>
            {connectionId ? null : (
              <TextInput
                label={t("telegramUser.name")}
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                data-testid="tg-user-name"
              />
            )}
            <Group grow>
              <NumberInput
                label={t("telegramUser.apiId")}
                required
                hideControls
                value={apiId}
                onChange={setApiId}
                data-testid="tg-user-api-id"
              />
              <TextInput
                label={t("telegramUser.apiHash")}
                required
                value={apiHash}
                onChange={(e) => setApiHash(e.currentTarget.value)}
                data-testid="tg-user-api-hash"
              />
            </Group>
            <TextInput
              label={t("telegramUser.phone")}
              description={t("telegramUser.phoneHint")}
              required
              type="tel"
              value={phone}
              onChange={(e) => setPhone(e.currentTarget.value)}
              data-testid="tg-user-phone"
            />
          </>
        ) : login.step === "code" ? (
          <>
            <Text size="sm">{t("telegramUser.codeSent", { phone })}</Text>
            <TextInput
              label={t("telegramUser.code")}
              required
              autoComplete="one-time-code"
              inputMode="numeric"
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              data-testid="tg-user-code"
            />
          </>
        ) : (
          <>
            <Text size="sm">{t("telegramUser.passwordIntro")}</Text>
            {login.passwordHint ? (
              <Text size="sm" c="dimmed" data-testid="tg-user-hint">
                {t("telegramUser.passwordHintLabel", { hint: login.passwordHint })}
              </Text>
            ) : null}
            <PasswordInput
              label={t("telegramUser.password")}
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              data-testid="tg-user-password"
            />
          </>
        )}
        {error ? (
          <Alert color="red" variant="light" data-testid="tg-user-error">
            {loginErrorText(t, error)}
          </Alert>
        ) : null}
        <Group justify="space-between" mt="sm">
          {login ? (
            <Button
              variant="subtle"
              leftSection={<IconArrowLeft size={16} />}
              onClick={() => {
                setLogin(null);
                sendCode.reset();
                sendPassword.reset();
              }}
              data-testid="tg-user-new-code"
            >
              {expired || login.step === "code" ? t("telegramUser.newCode") : t("telegramUser.back")}
            </Button>
          ) : onBack ? (
            <Button variant="subtle" leftSection={<IconArrowLeft size={16} />} onClick={onBack}>
              {t("telegramUser.back")}
            </Button>
          ) : (
            <span />
          )}
          <Button
            type="submit"
            loading={start.isPending || sendCode.isPending || sendPassword.isPending}
            disabled={!login ? !name.trim() || !phone.trim() || !apiHash.trim() || !apiId : false}
            data-testid="tg-user-submit"
          >
            {!login ? t("telegramUser.sendCode") : t("telegramUser.signIn")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
