import {
  Alert,
  Button,
  FileButton,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconTrash, IconUpload } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, client, data } from "../../api/client";
import type { Session } from "../../api/queries";
import { LANGUAGES } from "../../i18n";
import { errorText } from "../../lib/errors";
import { PageShell } from "../layout/AppHeader";
import { TwoFactorSection } from "../security/TwoFactorSection";
import { isLanguage, saveLanguage, setSessionUser, uploadAvatar } from "./account-api";
import { EmailChangePanel } from "./EmailChangePanel";
import { MyLanguagesPanel } from "./MyLanguagesPanel";
import { SessionsList } from "./SessionsList";
import { UserAvatar } from "./UserAvatar";

/**
 * /settings/profile: name, avatar, language (kept on the user for every device), the languages I speak
 * (distribution), email, password and devices.
 */
export default function ProfilePage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const user = session.user;
  const [name, setName] = useState(user.name);

  const saveName = useMutation({
    mutationFn: () => data(client.PATCH("/api/me", { body: { name } })),
    onSuccess: ({ user }) => {
      setSessionUser(qc, user);
      notifications.show({ color: "green", message: t("account.profile.saved") });
    },
  });
  const language = useMutation({
    mutationFn: (lang: string) => (isLanguage(lang) ? saveLanguage(qc, lang) : Promise.resolve()),
  });
  const avatar = useMutation({
    mutationFn: (file: File) => uploadAvatar(file),
    onSuccess: (u) => {
      setSessionUser(qc, u);
      notifications.show({ color: "green", message: t("account.profile.avatarSaved") });
    },
  });
  const removeAvatar = useMutation({
    mutationFn: () => data(client.DELETE("/api/me/avatar")),
    onSuccess: ({ user }) => setSessionUser(qc, user),
  });

  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const password = useMutation({
    mutationFn: () =>
      data(client.POST("/api/me/password", { body: { currentPassword: current, newPassword: next } })),
    onSuccess: (r) => {
      setCurrent("");
      setNext("");
      notifications.show({
        color: "green",
        message: t("account.profile.passwordChanged", { count: r.signedOutSessions }),
      });
    },
  });

  const submitName = (e: FormEvent) => {
    e.preventDefault();
    saveName.mutate();
  };
  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    password.mutate();
  };
  const avatarError =
    avatar.error instanceof ApiError &&
    ["unsupported_media_type", "payload_too_large", "unprocessable"].includes(avatar.error.code)
      ? t("account.profile.avatarInvalid")
      : avatar.error
        ? errorText(t, avatar.error)
        : null;

  return (
    <PageShell session={session}>
      <Stack gap="lg" maw={640}>
        <Title order={2}>{t("account.profile.title")}</Title>

        <Paper withBorder p="lg" radius="md">
          <Title order={3} size="h4" mb="md">
            {t("account.profile.avatar")}
          </Title>
          <Group>
            <UserAvatar user={user} size={72} />
            <Stack gap={6}>
              <Group gap="xs">
                <FileButton
                  onChange={(f) => f && avatar.mutate(f)}
                  accept="image/png,image/jpeg,image/webp,image/gif"
                >
                  {(props) => (
                    <Button
                      {...props}
                      leftSection={<IconUpload size={16} />}
                      loading={avatar.isPending}
                      data-testid="avatar-upload"
                    >
                      {t("account.profile.upload")}
                    </Button>
                  )}
                </FileButton>
                {user.avatarUrl ? (
                  <Button
                    variant="default"
                    leftSection={<IconTrash size={16} />}
                    loading={removeAvatar.isPending}
                    onClick={() => removeAvatar.mutate()}
                  >
                    {t("account.profile.remove")}
                  </Button>
                ) : null}
              </Group>
              <Text size="xs" c="dimmed">
                {t("account.profile.avatarHint")}
              </Text>
            </Stack>
          </Group>
          {avatarError ? (
            <Alert color="red" variant="light" mt="md" role="alert">
              {avatarError}
            </Alert>
          ) : null}
        </Paper>

        <Paper withBorder p="lg" radius="md" component="form" onSubmit={submitName}>
          <Title order={3} size="h4" mb="md">
            {t("account.profile.details")}
          </Title>
          <Stack>
            <TextInput
              label={t("account.profile.name")}
              value={name}
              required
              maxLength={120}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid="profile-name"
            />
            <Group>
              <Button
                type="submit"
                loading={saveName.isPending}
                disabled={!name.trim() || name === user.name}
              >
                {t("account.profile.save")}
              </Button>
            </Group>
            {saveName.isError ? (
              <Alert color="red" variant="light">
                {errorText(t, saveName.error)}
              </Alert>
            ) : null}
            <Select
              label={t("account.profile.language")}
              description={t("account.profile.languageHint")}
              data={LANGUAGES.map((l) => ({ value: l, label: t(`languages.${l}`) }))}
              value={isLanguage(user.locale) ? user.locale : "en"}
              allowDeselect={false}
              onChange={(v) => v && language.mutate(v)}
              data-testid="profile-language"
              comboboxProps={{ withinPortal: true }}
            />
            {language.isError ? (
              <Alert color="red" variant="light">
                {errorText(t, language.error)}
              </Alert>
            ) : null}
          </Stack>
        </Paper>

        <MyLanguagesPanel />

        <Paper withBorder p="lg" radius="md" component="form" onSubmit={submitPassword}>
          <Title order={3} size="h4" mb="md">
            {t("account.profile.password")}
          </Title>
          <Stack>
            <PasswordInput
              label={t("account.profile.currentPassword")}
              autoComplete="current-password"
              required
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
            />
            <PasswordInput
              label={t("account.profile.newPassword")}
              description={t("account.profile.passwordHint")}
              autoComplete="new-password"
              required
              minLength={10}
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
              visibilityToggleButtonProps={{ "aria-label": t("common.togglePassword") }}
            />
            {password.isError ? (
              <Alert color="red" variant="light" role="alert">
                {password.error instanceof ApiError && password.error.code === "invalid_credentials"
                  ? t("account.profile.wrongPassword")
                  : errorText(t, password.error)}
              </Alert>
            ) : null}
            <Group>
              <Button type="submit" loading={password.isPending} disabled={!current || next.length < 10}>
                {t("account.profile.changePassword")}
              </Button>
            </Group>
          </Stack>
        </Paper>

        <TwoFactorSection />
        <EmailChangePanel email={user.email} />

        <Paper withBorder p="lg" radius="md">
          <Title order={3} size="h4" mb={4}>
            {t("accountSecurity.sessions.title")}
          </Title>
          <Text size="sm" c="dimmed" mb="md">
            {t("accountSecurity.sessions.hint")}
          </Text>
          <SessionsList />
        </Paper>
      </Stack>
    </PageShell>
  );
}
