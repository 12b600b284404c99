import { Alert, Button, Code, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { downloadRecoveryCodes } from "./security-api";

/** Ten recovery codes, shown once, with a download as text. */
export function RecoveryCodesPanel({ codes, onDone }: { codes: readonly string[]; onDone?: () => void }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" data-testid="recovery-codes">
      <Alert color="yellow" variant="light">
        {t("security.recovery.once")}
      </Alert>
      <SimpleGrid cols={2} spacing="xs">
        {codes.map((c) => (
          <Code key={c} fz="sm" data-testid="recovery-code">
            {c}
          </Code>
        ))}
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t("security.recovery.hint")}
      </Text>
      <Group>
        <Button
          variant="default"
          leftSection={<IconDownload size={16} />}
          onClick={() => downloadRecoveryCodes(codes, t("security.recovery.fileHeading"))}
        >
          {t("security.recovery.download")}
        </Button>
        {onDone ? (
          <Button onClick={onDone} data-testid="recovery-done">
            {t("security.recovery.done")}
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
