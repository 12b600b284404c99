import { Alert, Box, CloseButton, Group, Image, Loader, Paper, Text } from "@mantine/core";
import { IconFile } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { PendingFile } from "./useAttachments";

/** The files attached to the next message, each uploading, ready or refused, and why a pick was refused. */
export function AttachmentChips({
  files,
  problem,
  onRemove,
}: {
  files: PendingFile[];
  problem: string | null;
  onRemove: (key: string) => void;
}) {
  const { t } = useTranslation();
  if (!files.length && !problem) return null;
  return (
    <Box mb={6}>
      {problem ? (
        <Alert color="red" variant="light" py={4} mb={6} data-testid="attach-problem">
          {problem}
        </Alert>
      ) : null}
      <Group gap={6}>
        {files.map((f) => (
          <Paper
            key={f.key}
            withBorder
            radius="sm"
            p={4}
            data-testid="attachment-chip"
            data-ready={!!f.uploaded || undefined}
          >
            <Group gap={6} wrap="nowrap">
              {f.preview ? (
                <Image src={f.preview} alt={f.name} w={36} h={36} radius="xs" fit="cover" />
              ) : (
                <IconFile size={20} />
              )}
              <Box maw={160}>
                <Text size="xs" truncate>
                  {f.name}
                </Text>
                {f.error ? (
                  <Text size="xs" c="red" data-testid="attachment-error">
                    {f.error}
                  </Text>
                ) : !f.uploaded ? (
                  <Loader size={10} />
                ) : null}
              </Box>
              <CloseButton
                size="xs"
                onClick={() => onRemove(f.key)}
                aria-label={t("convTools.attach.remove")}
              />
            </Group>
          </Paper>
        ))}
      </Group>
    </Box>
  );
}
