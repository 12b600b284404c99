import { Alert, Box, Button, Group, SegmentedControl, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import type { Conversation, Message } from "@parley/protocol";
import { countNonSpace, LIMITS } from "@parley/protocol/limits";
import { IconNote, IconSend } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, post, put } from "../../api/client";
import { type ConversationPages, keys } from "../../api/queries";
import { errorWithReason } from "../../lib/errors";
import { addOwnMessage } from "../../realtime/apply";
import { TemplatePicker } from "./TemplatePicker";
import { WindowNotice } from "./WindowNotice";

const DRAFT_DELAY_MS = 600;

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
  const [text, setText] = useState(conversation.draft ?? "");
  const pending = useRef<{ timer: ReturnType<typeof setTimeout>; text: string } | null>(null);

  const saveDraft = (value: string) => {
    void put(`/api/conversations/${id}/draft`, { text: value }).then(
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

  const onChange = (value: string) => {
    setText(value);
    if (pending.current) clearTimeout(pending.current.timer);
    pending.current = { text: value, timer: setTimeout(flush, DRAFT_DELAY_MS) };
  };

  const used = countNonSpace(text);
  const max = LIMITS.messageNonSpaceChars;
  const tooLong = mode === "reply" && used > max;
  const canReply = conversation.permissions?.reply ?? true;
  const canNote = conversation.permissions?.note ?? true;
  // The channel's window (R502): outside it free text is refused; a template may be all that can be sent.
  const windowClosed = conversation.window?.allowed === false;
  const allowed = mode === "reply" ? canReply && !windowClosed : canNote;
  const [picking, setPicking] = useState(false);

  const send = useMutation({
    mutationFn: (body: { text: string; mode: "reply" | "note" }) =>
      post<{ message: Message }>(`/api/conversations/${id}/${body.mode === "note" ? "notes" : "messages"}`, {
        text: body.text,
        clientId: clientId(),
      }),
    onSuccess: (r) => {
      addOwnMessage(qc, r.message);
      setCachedDraft(qc, id, null);
    },
    onError: (err, body) => {
      setText(body.text);
      notifications.show({ color: "red", message: errorWithReason(t, err) });
      // A closed window: the detail says what may be sent now.
      if (err instanceof ApiError && err.code === "window_closed")
        void qc.invalidateQueries({ queryKey: keys.conversation(id) });
    },
  });

  const submit = () => {
    const value = text.trim();
    if (!value || tooLong || !allowed || send.isPending) return;
    if (pending.current) clearTimeout(pending.current.timer);
    pending.current = null;
    setText("");
    send.mutate({ text: value, mode });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
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
      <Group justify="space-between" mb={6}>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(v) => setMode(v as "reply" | "note")}
          data-testid="composer-mode"
          data={[
            { value: "reply", label: t("composer.reply") },
            { value: "note", label: t("composer.note") },
          ]}
        />
        {mode === "reply" ? (
          <Text size="xs" c={tooLong ? "red" : "dimmed"} data-testid="composer-counter">
            {tooLong ? `${t("composer.tooLong", { max })} · ` : ""}
            {t("composer.counter", { count: used, max })}
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
      {!allowed && !(mode === "reply" && windowClosed) ? (
        <Alert color="gray" variant="light" py={6} mb={6}>
          {t("composer.noReply")}
        </Alert>
      ) : null}
      <Group align="flex-end" gap="sm" wrap="nowrap">
        <Textarea
          style={{ flex: 1 }}
          autosize
          minRows={2}
          maxRows={8}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
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
        <Button
          onClick={submit}
          disabled={!text.trim() || tooLong || !allowed}
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
