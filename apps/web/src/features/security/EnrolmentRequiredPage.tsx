import { Alert, Button, Center, Group, Stack, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { client, setCsrfToken } from "../../api/client";
import { keys } from "../../api/queries";
import { twoFactorQuery } from "./security-api";
import { TwoFactorSection } from "./TwoFactorSection";

/**
 * What a signed-in person sees while their role requires two-factor sign-in they have not set up (R802): the
 * setup, and signing out. Once it is on (and the recovery codes kept), "Continue" reloads the session.
 */
export function EnrolmentRequiredPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const status = useQuery(twoFactorQuery);
  const signOut = async () => {
    await client.POST("/api/auth/sign-out").catch(() => undefined);
    setCsrfToken(null);
    qc.setQueryData(keys.session, null);
  };
  return (
    <Center mih="100vh" p="md">
      <Stack maw={560} w="100%" data-testid="enrolment-required">
        <Title order={2}>{t("enrolmentRequired.title")}</Title>
        <Alert color="blue" variant="light">
          <Text size="sm">{t("enrolmentRequired.hint")}</Text>
        </Alert>
        <TwoFactorSection />
        <Group justify="space-between">
          <Button variant="subtle" onClick={signOut}>
            {t("auth.signOut")}
          </Button>
          {status.data?.enabled ? (
            <Button
              onClick={() => void qc.invalidateQueries({ queryKey: keys.session })}
              data-testid="enrolment-continue"
            >
              {t("enrolmentRequired.continue")}
            </Button>
          ) : null}
        </Group>
      </Stack>
    </Center>
  );
}
