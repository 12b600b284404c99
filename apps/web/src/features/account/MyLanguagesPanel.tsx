import { Alert, Paper, TagsInput, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, data } from "../../api/client";
import { errorWithReason } from "../../lib/errors";

const languagesKey = ["me", "languages"] as const;

/**
 * Settings → profile: the languages I speak (ISO 639-1 codes, typed and confirmed with Enter), which
 * distribution with language matching gives me conversations in. The server checks each code, as it does
 * for an admin on the distribution page; a refused code stays out of the list and says why.
 */
export function MyLanguagesPanel() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const mine = useQuery({
    queryKey: languagesKey,
    queryFn: () => data(client.GET("/api/me/languages")),
  });
  const save = useMutation({
    mutationFn: (languages: string[]) => data(client.PUT("/api/me/languages", { body: { languages } })),
    onSuccess: (r) => {
      qc.setQueryData(languagesKey, r);
      notifications.show({ color: "green", message: t("account.profile.languagesSaved") });
    },
  });
  return (
    <Paper withBorder p="lg" radius="md" data-testid="profile-languages">
      <Title order={3} size="h4" mb={4}>
        {t("account.profile.languages")}
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {t("account.profile.languagesHint")}
      </Text>
      {mine.data ? (
        <TagsInput
          aria-label={t("account.profile.languages")}
          placeholder={t("account.profile.languagesPlaceholder")}
          value={mine.data.languages}
          onChange={(languages) => save.mutate(languages)}
        />
      ) : null}
      {save.isError ? (
        <Alert color="red" variant="light" mt="md" role="alert">
          {errorWithReason(t, save.error)}
        </Alert>
      ) : null}
    </Paper>
  );
}
