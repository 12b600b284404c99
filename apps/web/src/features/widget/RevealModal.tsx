import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { Copyable } from "../../components/Copyable";

/** Shown once after a widget is created: its embed code and identity secret, which are not shown again. */
export function RevealModal({
  reveal,
  onClose,
}: {
  reveal: Record<string, string> | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={reveal !== null} onClose={onClose} title={t("widgetAdmin.reveal.title")} size="lg">
      <Stack gap="sm" data-testid="widget-reveal">
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
          {t("widgetAdmin.reveal.warning")}
        </Alert>
        <Text size="sm" fw={600}>
          {t("widgetAdmin.embed.heading")}
        </Text>
        <Copyable
          value={reveal?.embedCode ?? ""}
          testId="widget-reveal-embed"
          copyLabel={t("widgetAdmin.copy")}
          copiedLabel={t("widgetAdmin.copied")}
        />
        <Text size="sm" fw={600}>
          {t("widgetAdmin.reveal.identitySecret")}
        </Text>
        <Text size="xs" c="dimmed">
          {t("widgetAdmin.reveal.identityHint")}
        </Text>
        <Copyable
          value={reveal?.identitySecret ?? ""}
          testId="widget-reveal-secret"
          copyLabel={t("widgetAdmin.copy")}
          copiedLabel={t("widgetAdmin.copied")}
        />
        <Group justify="flex-end">
          <Button onClick={onClose} data-testid="widget-reveal-done">
            {t("widgetAdmin.reveal.done")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
