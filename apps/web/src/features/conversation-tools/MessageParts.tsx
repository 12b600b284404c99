import { ActionIcon, Anchor, Box, Group, Image, Menu, Paper, SimpleGrid, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Attachment, Message } from "@parley/protocol";
import {
  IconDots,
  IconDownload,
  IconFile,
  IconQuote,
  IconStar,
  IconStarFilled,
  IconTemplate,
} from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, put } from "../../api/client";
import { errorWithReason } from "../../lib/errors";
import { isImage, megabytes, previewUrl, quoteStore } from "./tools";

const SaveCannedModal = lazy(() => import("./SaveCannedModal").then((m) => ({ default: m.SaveCannedModal })));

/** Images as previews, other files as cards with their size and a download link (R202). */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const { t } = useTranslation();
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
            <IconFile size={18} />
            <Box style={{ minWidth: 0, flex: 1 }}>
              <Text size="xs" fw={600} truncate>
                {a.name}
              </Text>
              <Text size="xs" c={a.error ? "red" : "dimmed"}>
                {a.error
                  ? t("convTools.files.missing")
                  : t("convTools.files.size", { mb: megabytes(a.size) })}
              </Text>
            </Box>
            {a.url && !a.error ? (
              <ActionIcon
                component="a"
                href={a.url}
                download={a.name}
                variant="subtle"
                size="sm"
                aria-label={t("convTools.files.download")}
              >
                <IconDownload size={14} />
              </ActionIcon>
            ) : null}
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

const importantKey = (conversationId: string) => ["important-messages", conversationId] as const;

/** Which of a conversation's messages are marked important (one request per open conversation). */
function useImportant(conversationId: string, enabled: boolean) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const ids = useQuery({
    queryKey: importantKey(conversationId),
    queryFn: () =>
      get<{ messageIds: string[] }>(`/api/conversations/${conversationId}/important-messages`).then(
        (r) => r.messageIds,
      ),
    enabled,
    staleTime: 60_000,
  });
  const mark = useMutation({
    mutationFn: (v: { id: string; important: boolean }) =>
      put<{ important: boolean }>(`/api/messages/${v.id}/important`, { important: v.important }),
    onSuccess: (r, v) =>
      qc.setQueryData<string[]>(importantKey(conversationId), (cur = []) =>
        r.important ? [...cur.filter((x) => x !== v.id), v.id] : cur.filter((x) => x !== v.id),
      ),
    onError: (err) => notifications.show({ color: "red", message: errorWithReason(t, err) }),
  });
  return { ids: ids.data ?? [], mark };
}

/**
 * A message's menu: quote it in the reply, keep its text as a canned reply (R203), or mark an agent's
 * message important (a star shows it).
 */
export function MessageActions({ m, canQuote }: { m: Message; canQuote: boolean }) {
  const { t } = useTranslation();
  const [saving, setSaving] = useState(false);
  // Only an agent's outgoing message can be important (a read-notification rule can match only those).
  const markable = m.kind === "message" && m.direction === "outbound";
  const important = useImportant(m.conversationId, markable);
  const isImportant = markable && important.ids.includes(m.id);
  if (m.kind === "event") return null;
  return (
    <>
      {isImportant ? (
        <IconStarFilled
          size={12}
          color="var(--mantine-color-orange-5)"
          aria-label={t("convTools.actions.important")}
          data-testid="message-important"
        />
      ) : null}
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon
            variant="subtle"
            size="xs"
            color="gray"
            aria-label={t("convTools.actions.menu")}
            data-testid="message-menu"
          >
            <IconDots size={14} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          {canQuote ? (
            <Menu.Item
              leftSection={<IconQuote size={14} />}
              onClick={() => quoteStore.set(m.conversationId, m)}
              data-testid="message-quote-action"
            >
              {t("convTools.actions.quote")}
            </Menu.Item>
          ) : null}
          {m.text ? (
            <Menu.Item
              leftSection={<IconTemplate size={14} />}
              onClick={() => setSaving(true)}
              data-testid="message-save-canned"
            >
              {t("convTools.actions.saveCanned")}
            </Menu.Item>
          ) : null}
          {markable ? (
            <Menu.Item
              leftSection={isImportant ? <IconStar size={14} /> : <IconStarFilled size={14} />}
              onClick={() => important.mark.mutate({ id: m.id, important: !isImportant })}
              data-testid="message-important-action"
            >
              {isImportant ? t("convTools.actions.unmarkImportant") : t("convTools.actions.markImportant")}
            </Menu.Item>
          ) : null}
        </Menu.Dropdown>
      </Menu>
      {saving ? (
        <Suspense fallback={null}>
          <SaveCannedModal text={m.text ?? ""} onClose={() => setSaving(false)} />
        </Suspense>
      ) : null}
    </>
  );
}
