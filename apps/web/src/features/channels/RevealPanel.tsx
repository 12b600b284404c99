import { ActionIcon, Alert, Code, CopyButton, Group, Stack, Text, Tooltip } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconCopy } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

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
          <Group gap="xs" wrap="nowrap">
            <Code
              block
              style={{ flex: 1, wordBreak: "break-all", whiteSpace: "pre-wrap" }}
              data-testid={`reveal-${k}`}
            >
              {v}
            </Code>
            <CopyButton value={v}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? t("channels.reveal.copied") : t("channels.reveal.copy")}>
                  <ActionIcon
                    variant="light"
                    color={copied ? "teal" : "gray"}
                    onClick={copy}
                    aria-label={t("channels.reveal.copy")}
                  >
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </div>
      ))}
    </Stack>
  );
}
