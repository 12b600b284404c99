import { Alert, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Copyable } from "../../components/Copyable";

const REVEAL_LABELS = ["webhookUrl", "secret", "verifyToken"] as const;

/** Values the server shows once (webhook URL, generated secret, verify token), each with a copy button. */
export function RevealPanel({ reveal }: { reveal: Record<string, string> }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" data-testid="reveal">
      <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
        {t("channels.reveal.warning")}
      </Alert>
      {Object.entries(reveal).map(([k, v]) => (
        <div key={k}>
          <Text size="sm" fw={600} mb={4}>
            {(REVEAL_LABELS as readonly string[]).includes(k)
              ? t(`channels.reveal.${k as (typeof REVEAL_LABELS)[number]}`)
              : k}
          </Text>
          <Copyable
            value={v}
            testId={`reveal-${k}`}
            copyLabel={t("channels.reveal.copy")}
            copiedLabel={t("channels.reveal.copied")}
          />
        </div>
      ))}
    </Stack>
  );
}
