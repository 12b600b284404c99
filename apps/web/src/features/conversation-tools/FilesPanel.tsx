import {
  ActionIcon,
  Anchor,
  Box,
  Group,
  Image,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Attachment, Conversation, Message } from "@parley/protocol";
import { IconSend } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { get, post } from "../../api/client";
import type { Answer } from "../../api/types";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";
import { addOwnMessage } from "../../realtime/apply";
import { DownloadButton } from "./DownloadButton";
import { isImage, previewUrl } from "./tools";

type AttachmentsAnswer = Answer<"/api/conversations/{id}/attachments">;
type PanelAttachment = AttachmentsAnswer["attachments"][number];

/** The conversation's files (R210): images as a grid, other files as a list; each can be sent again. */
export function FilesPanel({ conversation }: { conversation: Conversation }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [tab, setTab] = useState<"images" | "files">("images");
  const list = useQuery({
    queryKey: ["attachments", conversation.id],
    queryFn: () =>
      get<AttachmentsAnswer>(`/api/conversations/${conversation.id}/attachments`).then((r) => r.attachments),
  });
  const resend = useMutation({
    mutationFn: (a: PanelAttachment) =>
      post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, {
        attachments: [{ name: a.name, mimeType: a.mimeType, size: a.size, url: a.url }],
      }),
    onSuccess: (r) => {
      addOwnMessage(qc, r.message);
      notifications.show({ color: "teal", message: t("convTools.files.resent") });
      void qc.invalidateQueries({ queryKey: ["attachments", conversation.id] });
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const items = (list.data ?? []).filter((a) => (tab === "images" ? isImage(a) : !isImage(a)));
  const canSend = conversation.permissions?.reply !== false && !conversation.contact.blocked;
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        value={tab}
        onChange={(v) => setTab(v as "images" | "files")}
        data={[
          { value: "images", label: t("convTools.files.images") },
          { value: "files", label: t("convTools.files.files") },
        ]}
        data-testid="files-tabs"
      />
      {!items.length ? (
        <Text size="xs" c="dimmed">
          {t("convTools.files.none")}
        </Text>
      ) : null}
      {tab === "images" ? (
        <SimpleGrid cols={3} spacing={4}>
          {items.map((a) => (
            <Paper key={`${a.messageId}-${a.url}`} withBorder p={2} data-testid="panel-image">
              <Anchor href={previewUrl(a)} target="_blank" rel="noopener noreferrer">
                <Image src={previewUrl(a)} alt={a.name} h={72} fit="cover" radius="xs" />
              </Anchor>
              <Group gap={0} justify="center">
                <FileActions a={a} canSend={canSend} onResend={() => resend.mutate(a)} />
              </Group>
            </Paper>
          ))}
        </SimpleGrid>
      ) : (
        items.map((a) => (
          <Paper key={`${a.messageId}-${a.url}`} withBorder px="xs" py={4} data-testid="panel-file">
            <Group justify="space-between" wrap="nowrap">
              <Box style={{ minWidth: 0 }}>
                <Text size="xs" truncate fw={600}>
                  {a.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {fullDateTime(a.createdAt, i18n.language)}
                </Text>
              </Box>
              <Group gap={0} wrap="nowrap">
                <FileActions a={a} canSend={canSend} onResend={() => resend.mutate(a)} />
              </Group>
            </Group>
          </Paper>
        ))
      )}
    </Stack>
  );
}

function FileActions({ a, canSend, onResend }: { a: Attachment; canSend: boolean; onResend: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <DownloadButton a={a} tooltip />
      {canSend ? (
        <Tooltip label={t("convTools.files.resend")}>
          <ActionIcon
            size="sm"
            variant="subtle"
            onClick={onResend}
            aria-label={t("convTools.files.resend")}
            data-testid="file-resend"
          >
            <IconSend size={14} />
          </ActionIcon>
        </Tooltip>
      ) : null}
    </>
  );
}
