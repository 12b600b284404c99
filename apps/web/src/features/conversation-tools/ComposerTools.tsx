import {
  ActionIcon,
  Alert,
  Box,
  Button,
  CloseButton,
  Group,
  Image,
  Loader,
  Paper,
  Popover,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Conversation } from "@parley/protocol";
import { IconFile, IconMoodSmile, IconQuote, IconTemplate } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, post } from "../../api/client";
import { keys } from "../../api/queries";
import { errorText } from "../../lib/errors";
import {
  looksLikeImage,
  problemOf,
  quoteStore,
  type UploadedFile,
  uploadErrorText,
  uploadFile,
  useQuote,
} from "./tools";

export interface CannedReply {
  id: string;
  shortcut: string;
  title: string;
  text: string;
}

export const useCannedReplies = () =>
  useQuery({
    queryKey: ["canned"],
    queryFn: () => get<{ cannedReplies: CannedReply[] }>("/api/canned-replies").then((r) => r.cannedReplies),
    staleTime: 60_000,
  });

export function filterCanned(list: CannedReply[], q: string) {
  const needle = q.trim().toLowerCase();
  if (!needle) return list.slice(0, 50);
  const starts = list.filter((c) => c.shortcut.toLowerCase().startsWith(needle));
  const rest = list.filter(
    (c) =>
      !starts.includes(c) &&
      (c.shortcut.toLowerCase().includes(needle) ||
        c.title.toLowerCase().includes(needle) ||
        c.text.toLowerCase().includes(needle)),
  );
  return [...starts, ...rest].slice(0, 50);
}

/** The canned replies matching a query, with one highlighted (the `/` shortcut list and the picker). */
export function CannedList({
  items,
  active,
  onPick,
}: {
  items: CannedReply[];
  active: number;
  onPick: (c: CannedReply) => void;
}) {
  const { t } = useTranslation();
  if (!items.length)
    return (
      <Text size="sm" c="dimmed" p="xs">
        {t("convTools.canned.none")}
      </Text>
    );
  return (
    <ScrollArea.Autosize mah={260} type="auto">
      <Stack gap={0} data-testid="canned-list">
        {items.map((c, i) => (
          <UnstyledButton
            key={c.id}
            px="xs"
            py={6}
            bg={i === active ? "indigo.0" : undefined}
            style={{ borderRadius: 6 }}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(c)}
            data-testid="canned-item"
            data-active={i === active || undefined}
          >
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={600} c="indigo.8">
                /{c.shortcut}
              </Text>
              <Text size="sm" truncate>
                {c.title}
              </Text>
            </Group>
            <Text size="xs" c="dimmed" lineClamp={1}>
              {c.text}
            </Text>
          </UnstyledButton>
        ))}
      </Stack>
    </ScrollArea.Autosize>
  );
}

/** The canned-reply button: a searchable list; picking one puts its text in the composer. */
export function CannedPicker({ onPick, disabled }: { onPick: (text: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const [q, setQ] = useState("");
  const canned = useCannedReplies();
  const items = useMemo(() => filterCanned(canned.data ?? [], q), [canned.data, q]);
  const pick = (c: CannedReply) => {
    onPick(c.text);
    setOpened(false);
    setQ("");
  };
  return (
    <Popover opened={opened} onChange={setOpened} width={340} position="top-start" shadow="md">
      <Popover.Target>
        <Tooltip label={t("convTools.canned.button")}>
          <ActionIcon
            variant="subtle"
            color="gray"
            disabled={disabled}
            onClick={() => setOpened((o) => !o)}
            aria-label={t("convTools.canned.button")}
            data-testid="canned-button"
          >
            <IconTemplate size={18} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        <TextInput
          size="xs"
          mb={6}
          placeholder={t("convTools.canned.search")}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && items[0]) {
              e.preventDefault();
              pick(items[0]);
            }
          }}
          data-autofocus
        />
        {canned.isPending ? <Loader size="xs" /> : <CannedList items={items} active={0} onPick={pick} />}
      </Popover.Dropdown>
    </Popover>
  );
}

// The emoji library is loaded only when the picker is first opened: the inbox's initial bundle stays small.
const EmojiPicker = lazy(() => import("emoji-picker-react"));

export function EmojiButton({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const { t, i18n } = useTranslation();
  const [opened, setOpened] = useState(false);
  return (
    <Popover opened={opened} onChange={setOpened} position="top-start" shadow="md">
      <Popover.Target>
        <Tooltip label={t("convTools.emoji")}>
          <ActionIcon
            variant="subtle"
            color="gray"
            disabled={disabled}
            onClick={() => setOpened((o) => !o)}
            aria-label={t("convTools.emoji")}
            data-testid="emoji-button"
          >
            <IconMoodSmile size={18} />
          </ActionIcon>
        </Tooltip>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        {opened ? (
          <Suspense fallback={<Loader size="sm" m="md" />}>
            <EmojiPicker
              // Native glyphs: no images fetched from a CDN.
              emojiStyle={"native" as never}
              lazyLoadEmojis
              previewConfig={{ showPreview: false }}
              searchPlaceHolder={t("convTools.emojiSearch")}
              skinTonesDisabled
              height={360}
              width={320}
              key={i18n.language}
              onEmojiClick={(e: { emoji: string }) => onPick(e.emoji)}
            />
          </Suspense>
        ) : null}
      </Popover.Dropdown>
    </Popover>
  );
}

export interface PendingFile {
  key: string;
  name: string;
  size: number;
  image: boolean;
  preview: string | null;
  uploaded: UploadedFile | null;
  error: string | null;
}

/**
 * The files being attached to the next message: checked against the channel's limits before uploading (the
 * reason is shown), uploaded at once, and refused by the server with the same reasons if the browser was wrong.
 */
export function useAttachments(conversation: Conversation) {
  const { t } = useTranslation();
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  // Local previews are object URLs: released when the composer goes.
  const previews = useRef<string[]>([]);
  useEffect(
    () => () => {
      for (const url of previews.current) URL.revokeObjectURL(url);
    },
    [],
  );

  const remember = (url: string) => {
    previews.current.push(url);
    return url;
  };
  const add = (picked: File[]) => {
    if (!picked.length) return;
    const candidate = [
      ...files.map((f) => ({ name: f.name, size: f.size, image: f.image })),
      ...picked.map((f) => ({ name: f.name, size: f.size, image: looksLikeImage(f) })),
    ];
    const why = problemOf(t, conversation.connection.type, candidate);
    setProblem(why);
    if (why) return;
    const added: PendingFile[] = picked.map((f) => ({
      key: `${f.name}-${f.size}-${Math.random().toString(36).slice(2)}`,
      name: f.name,
      size: f.size,
      image: looksLikeImage(f),
      preview: looksLikeImage(f) ? remember(URL.createObjectURL(f)) : null,
      uploaded: null,
      error: null,
    }));
    setFiles((cur) => [...cur, ...added]);
    added.forEach((p, i) => {
      uploadFile(conversation.id, picked[i]!).then(
        (uploaded) =>
          setFiles((cur) =>
            cur.map((f) => (f.key === p.key ? { ...f, uploaded, image: uploaded.image } : f)),
          ),
        (err) => {
          const text = uploadErrorText(t, err) ?? errorText(t, err);
          setFiles((cur) => cur.map((f) => (f.key === p.key ? { ...f, error: text } : f)));
        },
      );
    });
  };
  const remove = (key: string) => {
    setProblem(null);
    setFiles((cur) => cur.filter((f) => f.key !== key));
  };
  const clear = () => {
    setProblem(null);
    setFiles([]);
  };
  return {
    files,
    problem,
    add,
    remove,
    clear,
    uploading: files.some((f) => !f.uploaded && !f.error),
    failed: files.some((f) => f.error),
    ready: files.filter((f) => f.uploaded).map((f) => f.uploaded!),
  };
}

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

/** The quoted message above the composer, with a way to drop it. */
export function QuoteChip({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const quote = useQuote(conversationId);
  if (!quote) return null;
  return (
    <Paper withBorder radius="sm" px="xs" py={4} mb={6} data-testid="composer-quote">
      <Group gap={6} wrap="nowrap">
        <IconQuote size={14} />
        <Text size="xs" c="dimmed" style={{ flex: 1 }} lineClamp={1}>
          {t("convTools.quote.replyingTo")}: {quote.text || quote.attachments[0]?.name || ""}
        </Text>
        <CloseButton
          size="xs"
          onClick={() => quoteStore.set(conversationId, null)}
          aria-label={t("convTools.quote.cancel")}
        />
      </Group>
    </Paper>
  );
}

/** R209: while the contact is blocked nothing is sent or received; the composer says so and offers to unblock. */
export function BlockedNotice({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const unblock = useBlockContact(conversation, false);
  if (!conversation.contact.blocked) return null;
  return (
    <Alert color="red" variant="light" py={6} mb={6} data-testid="blocked-notice">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{t("convTools.block.notice")}</Text>
        <Button
          size="compact-xs"
          color="red"
          variant="light"
          loading={unblock.isPending}
          onClick={() => unblock.mutate()}
          data-testid="unblock"
        >
          {t("convTools.block.unblock")}
        </Button>
      </Group>
    </Alert>
  );
}

/** Blocks or unblocks the conversation's contact and updates the open conversation in place. */
export function useBlockContact(conversation: Conversation, block: boolean) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      post<{ contact: { blocked: boolean } }>(
        `/api/contacts/${conversation.contact.id}/${block ? "block" : "unblock"}`,
      ),
    onSuccess: (r) => {
      qc.setQueryData<Conversation>(keys.conversation(conversation.id), (c) =>
        c ? { ...c, contact: { ...c.contact, blocked: r.contact.blocked } } : c,
      );
      void qc.invalidateQueries({ queryKey: ["contact", conversation.contact.id] });
      notifications.show({ message: t(block ? "convTools.block.done" : "convTools.block.undone") });
    },
    onError: (err) => notifications.show({ color: "red", message: errorText(t, err) }),
  });
}
