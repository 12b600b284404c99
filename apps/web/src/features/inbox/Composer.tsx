import {
  ActionIcon,
  Alert,
  Box,
  Button,
  FileButton,
  Group,
  Popover,
  Text,
  Textarea,
  Tooltip,
} from "@mantine/core";
import type { CommentReplyMode, Conversation } from "@parley/protocol";
import { CAPABILITIES, textLimitProblem } from "@parley/protocol/capabilities";
import { countNonSpace, LIMITS } from "@parley/protocol/limits";
import { IconNote, IconPaperclip, IconSend } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, lazy, Suspense, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, client, post } from "../../api/client";
import { type ConversationPages, keys } from "../../api/queries";
import type { Answer } from "../../api/types";
import { Segments } from "../../components/Segments";
import { showErrorWithReason } from "../../lib/notify";
import { addOwnMessage } from "../../realtime/apply";
import { useTypingSender } from "../../realtime/typing";
import { sendFrame } from "../../realtime/useRealtime";
import { CommentReplyChoice, commentReplyAllowed } from "../comments/CommentParts";
import {
  AttachmentChips,
  BlockedNotice,
  CannedList,
  CannedPicker,
  EmojiButton,
  filterCanned,
  QuoteChip,
  useAttachments,
  useCannedReplies,
} from "../conversation-tools/ComposerTools";
import { quoteStore, type UploadedFile, useQuote, useQuotePicks } from "../conversation-tools/tools";
import { SmsManyParts, SmsParts } from "./SmsCounter";
import { TemplatePicker } from "./TemplatePicker";
import { WindowNotice } from "./WindowNotice";

const DRAFT_DELAY_MS = 600;

/**
 * The text box grows with its text from two lines to eight. Where the browser sizes a field to its content
 * itself (CSS `field-sizing`), no script measures it, which forced a layout each time a conversation opened;
 * elsewhere Mantine's autosize measures it.
 */
const SIZED_BY_CSS = typeof CSS !== "undefined" && CSS.supports("field-sizing", "content");
const rowsHeight = (rows: number) => `calc(${rows}lh + 2 * var(--input-padding-y, 0rem) + 2px)`;
const cssSizing = SIZED_BY_CSS
  ? { input: { fieldSizing: "content" as const, minHeight: rowsHeight(2), maxHeight: rowsHeight(8) } }
  : undefined;

// Drag-and-drop (react-dropzone) loads after the inbox has rendered: the initial bundle stays small.
const DropOverlay = lazy(() => import("../conversation-tools/DropOverlay"));

const clientId = () =>
  globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** Keeps the cached conversation (pane and list rows) in step with the saved draft (R205). */
function setCachedDraft(qc: ReturnType<typeof useQueryClient>, id: string, draft: string | null) {
  qc.setQueryData<Conversation>(keys.conversation(id), (c) => (c ? { ...c, draft } : c));
  qc.setQueriesData<ConversationPages>({ queryKey: keys.lists }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((p) => ({
            ...p,
            conversations: p.conversations.map((c) => (c.id === id ? { ...c, draft } : c)),
          })),
        }
      : data,
  );
}

/**
 * The composer (R204, R205): reply or note; Enter sends, Shift+Enter adds a line; at most 2,000 non-space
 * characters; the draft is saved as the agent types (debounced) and restored when they come back.
 */
export function Composer({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const id = conversation.id;
  const [mode, setMode] = useState<"reply" | "note">("reply");
  // A comment conversation's reply goes under the comment or privately (R451).
  const [commentReply, setCommentReply] = useState<CommentReplyMode>("public");
  const [text, setText] = useState(conversation.draft ?? "");
  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; text: string } | null>(null);

  const saveDraft = (value: string) => {
    void client
      .PUT("/api/conversations/{id}/draft", { params: { path: { id } }, body: { text: value } })
      .then(
        () => setCachedDraft(qc, id, value.trim() ? value : null),
        () => undefined,
      );
  };
  const flush = () => {
    if (!pending.current) return;
    clearTimeout(pending.current.timer);
    saveDraft(pending.current.text);
    pending.current = null;
  };
  // Switching conversation or leaving the page saves what was typed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: flush reads refs only
  useEffect(() => {
    window.addEventListener("beforeunload", flush);
    return () => {
      window.removeEventListener("beforeunload", flush);
      flush();
    };
  }, []);

  const typing = useTypingSender(id, sendFrame);
  const onChange = (value: string) => {
    setText(value);
    if (pending.current) clearTimeout(pending.current.timer);
    pending.current = { text: value, timer: setTimeout(flush, DRAFT_DELAY_MS) };
  };

  const used = countNonSpace(text);
  const max = LIMITS.messageNonSpaceChars;
  // Over what the channel takes in one message, where it does not send long text in parts (the server
  // refuses the same).
  const caps = CAPABILITIES[conversation.connection.type];
  const channelLimit = mode === "reply" && caps ? textLimitProblem(caps, text) : null;
  const tooLong = mode === "reply" && (used > max || channelLimit !== null);
  const canReply = conversation.permissions?.reply ?? true;
  const canNote = conversation.permissions?.note ?? true;
  // The channel's window (R502): outside it free text is refused; a template may be all that can be sent.
  const windowClosed = conversation.window?.allowed === false;
  // R209: nothing is sent to a blocked contact (notes still are).
  const blocked = conversation.contact.blocked;
  const allowed =
    mode === "reply"
      ? canReply && !windowClosed && !blocked && commentReplyAllowed(conversation, commentReply)
      : canNote;
  const [picking, setPicking] = useState(false);
  const attach = useAttachments(conversation);
  const quote = useQuote(id);
  const input = useRef<HTMLTextAreaElement>(null);
  // Quoting a message (its menu or its quick button) puts the focus here, to write the reply at once. Only a
  // quote chosen while this conversation is open: one kept from before does not take the focus on a switch.
  const picks = useQuotePicks(id);
  const shown = useRef({ id, picks });
  useEffect(() => {
    if (shown.current.id === id && shown.current.picks !== picks) input.current?.focus();
    shown.current = { id, picks };
  }, [id, picks]);

  // Typing `/` at the start opens the canned replies matching what follows; Enter inserts the highlighted one.
  const canned = useCannedReplies();
  const slash = /^\/[^\s]*$/.test(text) ? text.slice(1) : null;
  const [slashIndex, setSlashIndex] = useState(0);
  const slashItems = useMemo(
    () => (slash === null ? [] : filterCanned(canned.data ?? [], slash)),
    [canned.data, slash],
  );
  const insertText = (value: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    onChange(text.slice(0, start) + value + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + value.length, start + value.length);
    });
  };
  const applyCanned = (value: string) => {
    onChange(value);
    setSlashIndex(0);
    requestAnimationFrame(() => input.current?.focus());
  };

  const send = useMutation({
    mutationFn: (body: {
      text: string;
      mode: "reply" | "note";
      attachments: UploadedFile[];
      quotedMessageId: string | null;
      commentReply: CommentReplyMode | null;
    }) =>
      post<Answer<"/api/conversations/{id}/messages", "post">>(
        `/api/conversations/${id}/${body.mode === "note" ? "notes" : "messages"}`,
        {
          text: body.text || null,
          attachments: body.attachments.map(({ id: _id, image: _image, ...a }) => a),
          quotedMessageId: body.quotedMessageId,
          clientId: clientId(),
          ...(body.commentReply ? { commentReply: body.commentReply } : {}),
        },
      ),
    onSuccess: (r) => {
      addOwnMessage(qc, r.message);
      setCachedDraft(qc, id, null);
      attach.clear();
      quoteStore.set(id, null);
      // A private reply uses up the comment's one: the detail says what may be sent now.
      if (conversation.kind === "comment") void qc.invalidateQueries({ queryKey: keys.conversation(id) });
    },
    onError: (err, body) => {
      setText(body.text);
      showErrorWithReason(t, err);
      // A closed window: the detail says what may be sent now.
      if (err instanceof ApiError && (err.code === "window_closed" || err.code === "unsubscribed"))
        void qc.invalidateQueries({ queryKey: keys.conversation(id) });
    },
  });

  const hasFiles = attach.ready.length > 0;
  const sendable =
    (!!text.trim() || hasFiles) &&
    !tooLong &&
    allowed &&
    !attach.uploading &&
    !attach.failed &&
    !send.isPending;
  const submit = () => {
    const value = text.trim();
    if (!sendable) return;
    if (pending.current) clearTimeout(pending.current.timer);
    pending.current = null;
    typing.stop();
    setText("");
    send.mutate({
      text: value,
      mode,
      attachments: attach.ready,
      quotedMessageId: quote?.id ?? null,
      commentReply: mode === "reply" && conversation.kind === "comment" ? commentReply : null,
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (slash !== null && slashItems.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = slashItems.length;
        setSlashIndex((i) => (i + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === "Enter" && !e.nativeEvent.isComposing) {
        e.preventDefault();
        applyCanned(slashItems[Math.min(slashIndex, slashItems.length - 1)]!.text);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        onChange(text.slice(1));
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const note = mode === "note";
  return (
    <Box
      px="lg"
      py="sm"
      bg={note ? "yellow.0" : "white"}
      style={{ borderTop: "1px solid var(--mantine-color-gray-3)" }}
      data-testid="composer"
    >
      <Suspense fallback={null}>
        <DropOverlay onDrop={attach.add} disabled={!allowed} />
      </Suspense>
      <Group justify="space-between" mb={6}>
        <Segments
          value={mode}
          onChange={setMode}
          testId="composer-mode"
          data={[
            { value: "reply", label: t("composer.reply") },
            { value: "note", label: t("composer.note") },
          ]}
        />
        {mode === "reply" ? (
          <Text size="xs" c={tooLong ? "red" : "dimmed"} data-testid="composer-counter">
            {channelLimit
              ? `${t(`composer.tooLongForChannel.${channelLimit.unit}`, { max: channelLimit.max, count: channelLimit.length })} · `
              : tooLong
                ? `${t("composer.tooLong", { max })} · `
                : ""}
            {t("composer.counter", { count: used, max })}
            {caps?.sms ? <SmsParts text={text} /> : null}
          </Text>
        ) : null}
      </Group>
      {mode === "reply" ? (
        <WindowNotice
          conversation={conversation}
          onSendTemplate={
            canReply && conversation.window?.only === "template" ? () => setPicking(true) : null
          }
        />
      ) : null}
      {mode === "reply" ? (
        <CommentReplyChoice conversation={conversation} value={commentReply} onChange={setCommentReply} />
      ) : null}
      {mode === "reply" ? <BlockedNotice conversation={conversation} /> : null}
      {mode === "reply" && caps ? <SmsManyParts caps={caps} text={text} /> : null}
      {!allowed &&
      !(mode === "reply" && (windowClosed || blocked || !commentReplyAllowed(conversation, commentReply))) ? (
        <Alert color="gray" variant="light" py={6} mb={6}>
          {t("composer.noReply")}
        </Alert>
      ) : null}
      <QuoteChip conversationId={id} />
      <AttachmentChips files={attach.files} problem={attach.problem} onRemove={attach.remove} />
      <Group align="flex-end" gap="sm" wrap="nowrap">
        <Popover
          opened={slash !== null && allowed}
          position="top-start"
          width="target"
          shadow="md"
          withRoles={false}
        >
          <Popover.Target>
            <Textarea
              ref={input}
              style={{ flex: 1 }}
              autosize={!SIZED_BY_CSS}
              styles={cssSizing}
              minRows={2}
              maxRows={8}
              value={text}
              onChange={(e) => {
                const value = e.currentTarget.value;
                onChange(value);
                // Only replies tell the customer (and colleagues) that someone is typing; notes are internal.
                if (mode === "reply" && value.trim()) typing.keystroke();
                else typing.stop();
              }}
              onBlur={typing.stop}
              onKeyDown={onKeyDown}
              placeholder={
                note
                  ? t("composer.notePlaceholder")
                  : windowClosed
                    ? t("window.textDisabled")
                    : t("composer.replyPlaceholder")
              }
              aria-label={note ? t("composer.note") : t("composer.reply")}
              error={tooLong}
              data-testid="composer-input"
              disabled={!allowed}
            />
          </Popover.Target>
          <Popover.Dropdown p={4} data-testid="canned-slash">
            <CannedList
              items={slashItems}
              active={Math.min(slashIndex, Math.max(slashItems.length - 1, 0))}
              onPick={(c) => applyCanned(c.text)}
            />
          </Popover.Dropdown>
        </Popover>
        <Group gap={2} wrap="nowrap" pb={4}>
          <FileButton onChange={attach.add} multiple disabled={!allowed}>
            {(props) => (
              <Tooltip label={t("convTools.attach.button")}>
                <ActionIcon
                  {...props}
                  variant="subtle"
                  color="gray"
                  disabled={!allowed}
                  aria-label={t("convTools.attach.button")}
                  data-testid="attach-button"
                >
                  <IconPaperclip size={18} />
                </ActionIcon>
              </Tooltip>
            )}
          </FileButton>
          <EmojiButton onPick={insertText} disabled={!allowed} />
          <CannedPicker onPick={applyCanned} disabled={!allowed} />
        </Group>
        <Button
          onClick={submit}
          disabled={!sendable}
          loading={send.isPending}
          color={note ? "yellow.7" : undefined}
          leftSection={note ? <IconNote size={16} /> : <IconSend size={16} />}
          data-testid="composer-send"
        >
          {note ? t("composer.addNote") : t("composer.send")}
        </Button>
      </Group>
      <TemplatePicker conversation={conversation} opened={picking} onClose={() => setPicking(false)} />
    </Box>
  );
}
