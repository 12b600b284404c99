import {
  Alert,
  Anchor,
  Badge,
  Group,
  Image,
  Menu,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Tooltip,
} from "@mantine/core";
import type { CommentReplyMode, Conversation, Message } from "@parley/protocol";
import { IconEye, IconEyeOff, IconMessageCircle, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { del, get, put } from "../../api/client";
import type { Answer } from "../../api/types";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";

type Post = NonNullable<Answer<"/api/conversations/{id}/post">["post"]>;

/** The post a comment conversation is about, above the thread: its picture, text and link (R451). */
export function PostHeader({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const post = useQuery({
    queryKey: ["conversation-post", conversation.id],
    queryFn: () =>
      get<Answer<"/api/conversations/{id}/post">>(`/api/conversations/${conversation.id}/post`).then(
        (r) => r.post,
      ),
    enabled: conversation.kind === "comment",
    // The details are fetched by a background job: asked again until they are there (or failed).
    refetchInterval: (q) => {
      const p = q.state.data as Post | null | undefined;
      return p && !p.fetchedAt && !p.error ? 3000 : false;
    },
  });
  if (conversation.kind !== "comment") return null;
  const p = post.data;
  return (
    <Paper
      px="lg"
      py="xs"
      radius={0}
      bg="gray.0"
      data-testid="comment-post"
      style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}
    >
      <Group gap="sm" wrap="nowrap" align="flex-start">
        {p?.pictureUrl ? (
          <Image src={p.pictureUrl} alt={t("comments.post.picture")} w={56} h={56} radius="sm" fit="cover" />
        ) : (
          <IconMessageCircle size={28} color="var(--mantine-color-gray-6)" />
        )}
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="xs" fw={600} c="dimmed">
            {conversation.commentReplies?.mention ? t("igMentions.post.title") : t("comments.post.title")}
          </Text>
          {p?.text ? (
            <Text size="sm" lineClamp={3} data-testid="comment-post-text">
              {p.text}
            </Text>
          ) : p && !p.fetchedAt && !p.error ? (
            <Text size="sm" c="dimmed">
              {t("comments.post.loading")}
            </Text>
          ) : null}
          {p?.error ? (
            <Text size="xs" c="red">
              {t("comments.post.failed", { reason: p.error })}
            </Text>
          ) : null}
          {p?.permalinkUrl ? (
            <Anchor size="xs" href={p.permalinkUrl} target="_blank" rel="noopener noreferrer">
              {t("comments.post.open")}
            </Anchor>
          ) : null}
        </Stack>
      </Group>
    </Paper>
  );
}

/**
 * The composer's choice in a comment conversation: a public reply (under the comment) or a private one (to
 * the commenter's inbox), with what each does and why the chosen one cannot go now.
 */
export function CommentReplyChoice({
  conversation,
  value,
  onChange,
}: {
  conversation: Conversation;
  value: CommentReplyMode;
  onChange: (v: CommentReplyMode) => void;
}) {
  const { t, i18n } = useTranslation();
  if (conversation.kind !== "comment") return null;
  const verdict = conversation.commentReplies?.[value];
  // A mention of the account on someone else's post: public replies only (the refusal below says why, in the
  // agent's language).
  const mention = conversation.commentReplies?.mention ?? null;
  const hint = mention
    ? value === "public"
      ? t(`igMentions.reply.publicHint.${mention}`)
      : null
    : value === "public"
      ? t("comments.reply.publicHint")
      : t("comments.reply.privateHint");
  return (
    <Stack gap={4} mb={6}>
      <Group gap="xs">
        <SegmentedControl
          size="xs"
          value={value}
          onChange={(v) => onChange(v as CommentReplyMode)}
          aria-label={t("comments.reply.label")}
          data-testid="comment-reply-mode"
          data={[
            { value: "public", label: t("comments.reply.public") },
            { value: "private", label: t("comments.reply.private") },
          ]}
        />
        <Text size="xs" c="dimmed" data-testid="comment-reply-hint">
          {hint}
          {value === "private" && verdict?.allowed && verdict.closesAt
            ? ` ${t("comments.reply.privateUntil", { time: fullDateTime(verdict.closesAt, i18n.language) })}`
            : ""}
        </Text>
      </Group>
      {verdict && !verdict.allowed ? (
        <Alert color="orange" variant="light" py={6} data-testid="comment-reply-refused">
          {mention && value === "private"
            ? t("comments.reply.refused", { reason: t(`igMentions.reply.private.${mention}`) })
            : t("comments.reply.refused", { reason: verdict.reason ?? "" })}
        </Alert>
      ) : null}
    </Stack>
  );
}

/** Whether the chosen reply may go now (the server refuses the same). */
export const commentReplyAllowed = (c: Conversation, mode: CommentReplyMode) =>
  c.kind !== "comment" || c.commentReplies?.[mode]?.allowed !== false;

/** A comment's marks in its bubble: public or private reply, hidden, edited (with the earlier text), deleted. */
export function CommentMarks({ m }: { m: Message }) {
  const { t } = useTranslation();
  const c = m.comment;
  if (!c) return null;
  const last = c.edits?.at(-1);
  return (
    <Group gap={4} mb={2} data-testid="comment-marks">
      {c.mention ? (
        <Badge size="xs" variant="light" color="pink" data-testid="comment-mention">
          {t(`igMentions.badge.${c.mention}`)}
        </Badge>
      ) : null}
      {c.mentionError ? (
        <Text size="xs" c="red" data-testid="comment-mention-error">
          {t("igMentions.failed", { reason: c.mentionError })}
        </Text>
      ) : null}
      {c.mode ? (
        <Badge size="xs" variant="light" color={c.mode === "public" ? "blue" : "grape"}>
          {t(`comments.badge.${c.mode}`)}
        </Badge>
      ) : null}
      {c.hidden ? (
        <Badge size="xs" variant="light" color="gray" data-testid="comment-hidden">
          {t("comments.badge.hidden")}
        </Badge>
      ) : null}
      {last ? (
        <Tooltip label={t("comments.badge.editedBefore", { text: last.text ?? "" })} multiline maw={320}>
          <Badge size="xs" variant="light" color="yellow">
            {t("comments.badge.edited")}
          </Badge>
        </Tooltip>
      ) : null}
      {c.removedAt || c.deletedAt ? (
        <Badge size="xs" variant="light" color="red" data-testid="comment-deleted">
          {c.removedAt ? t("comments.badge.removed") : t("comments.badge.deleted")}
        </Badge>
      ) : null}
    </Group>
  );
}

/** The message menu's comment actions: hide or unhide a customer's comment, delete it (or our public reply). */
export function CommentMenuItems({ m }: { m: Message }) {
  const { t } = useTranslation();
  const c = m.comment;
  const act = useMutation({
    mutationFn: (action: "hide" | "unhide" | "delete") =>
      action === "delete"
        ? del<Answer<"/api/messages/{messageId}/comment", "delete">>(`/api/messages/${m.id}/comment`)
        : put<Answer<"/api/messages/{messageId}/comment-visibility", "put">>(
            `/api/messages/${m.id}/comment-visibility`,
            { hidden: action === "hide" },
          ),
    onError: (err) => showErrorWithReason(t, err),
  });
  if (!c || !m.providerMessageId || c.removedAt || c.deletedAt) return null;
  const customers = m.direction === "inbound";
  if (!customers && c.mode !== "public") return null;
  // A mention is on someone else's post: only its owner can hide or delete it.
  if (customers && c.mention) return null;
  return (
    <>
      {customers ? (
        <Menu.Item
          leftSection={c.hidden ? <IconEye size={14} /> : <IconEyeOff size={14} />}
          onClick={() => act.mutate(c.hidden ? "unhide" : "hide")}
          data-testid="comment-hide-action"
        >
          {c.hidden ? t("comments.menu.unhide") : t("comments.menu.hide")}
        </Menu.Item>
      ) : null}
      <Menu.Item
        color="red"
        leftSection={<IconTrash size={14} />}
        onClick={() => act.mutate("delete")}
        data-testid="comment-delete-action"
      >
        {t("comments.menu.delete")}
      </Menu.Item>
    </>
  );
}
