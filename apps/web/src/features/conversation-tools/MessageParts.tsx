import { Anchor, Box, Group, Image, Loader, Paper, SimpleGrid, Text } from "@mantine/core";
import type { Attachment, Message } from "@parley/protocol";
import { IconFile } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { DownloadButton } from "./DownloadButton";
import { isImage, megabytes, previewUrl } from "./tools";

export { isMarkable, MessageActions, useImportantIds } from "./MessageActions";

/** Images as previews, other files as cards with their size and a download link (R202). */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  if (!attachments.length) return null;
  const images = attachments.filter((a) => isImage(a) && a.url && !a.error);
  const files = attachments.filter((a) => !images.includes(a));
  return (
    <Box mt={4}>
      {images.length ? (
        <SimpleGrid cols={Math.min(images.length, 3)} spacing={4} mb={files.length ? 4 : 0}>
          {images.map((a) => (
            <Anchor key={a.url} href={previewUrl(a)} target="_blank" rel="noopener noreferrer">
              <Image
                src={previewUrl(a)}
                alt={a.name}
                radius="sm"
                maw={240}
                mah={240}
                fit="cover"
                data-testid="image-preview"
              />
            </Anchor>
          ))}
        </SimpleGrid>
      ) : null}
      {files.map((a) => (
        <Paper key={a.url || a.name} withBorder radius="sm" px="xs" py={4} mt={4} data-testid="file-card">
          <Group gap={6} wrap="nowrap">
            {a.state === "downloading" ? (
              <Loader size={16} data-testid="media-downloading" />
            ) : (
              <IconFile size={18} />
            )}
            <Box style={{ minWidth: 0, flex: 1 }}>
              <Text size="xs" fw={600} truncate>
                {a.name}
              </Text>
              <AttachmentStatus a={a} />
            </Box>
            {a.url && !a.error ? <DownloadButton a={a} /> : null}
          </Group>
        </Paper>
      ))}
    </Box>
  );
}

/** The message a reply quotes, shown above the reply's text (R203). */
export function QuotedMessage({ quoted, missing }: { quoted: Message | undefined; missing: boolean }) {
  const { t } = useTranslation();
  if (!quoted && !missing) return null;
  return (
    <Box
      mb={4}
      pl={8}
      style={{ borderLeft: "3px solid var(--mantine-color-indigo-3)" }}
      data-testid="message-quote"
    >
      <Text size="xs" c="dimmed" lineClamp={2} style={{ whiteSpace: "pre-wrap" }}>
        {quoted
          ? quoted.text || (quoted.attachments[0]?.name ?? t("convTools.quote.attachment"))
          : t("convTools.quote.earlier")}
      </Text>
    </Box>
  );
}

/** A file's line under its name: its size, or where its download from the channel stands. */
function AttachmentStatus({ a }: { a: Attachment }) {
  const { t } = useTranslation();
  if (a.state === "downloading")
    return (
      <Text size="xs" c="dimmed">
        {t("inboundMedia.downloading")}
      </Text>
    );
  if (a.error)
    return (
      <Text size="xs" c="red" data-testid="media-failed">
        {a.state === "failed" ? t("inboundMedia.failed", { reason: a.error }) : t("convTools.files.missing")}
      </Text>
    );
  return (
    <Text size="xs" c="dimmed">
      {t("convTools.files.size", { mb: megabytes(a.size) })}
    </Text>
  );
}
