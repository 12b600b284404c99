import { Menu, Tooltip } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { IconQuote, IconStar, IconStarFilled, IconTemplate } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, type ReactElement, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { get, put } from "../../api/client";
import type { Answer } from "../../api/types";
import { LazyDotsMenu } from "../../components/DotsMenu";
import { showErrorWithReason } from "../../lib/notify";
import { CommentMenuItems } from "../comments/CommentParts";
import { quoteStore } from "./tools";
import "./message-actions.css";

const SaveCannedModal = lazy(() => import("./SaveCannedModal").then((m) => ({ default: m.SaveCannedModal })));

const importantKey = (conversationId: string) => ["important-messages", conversationId] as const;

/** Only an agent's outgoing message can be important (a read-notification rule can match only those). */
export const isMarkable = (m: Message) => m.kind === "message" && m.direction === "outbound";

/** Which of a conversation's messages are marked important (one request per open conversation). */
export function useImportantIds(conversationId: string, enabled: boolean) {
  const ids = useQuery({
    queryKey: importantKey(conversationId),
    queryFn: () =>
      get<Answer<"/api/conversations/{id}/important-messages">>(
        `/api/conversations/${conversationId}/important-messages`,
      ).then((r) => r.messageIds),
    enabled,
    staleTime: 60_000,
  });
  return ids.data ?? [];
}

/** Marks an agent's message important or not: drawn only while the message's menu is open. */
function ImportantMenuItem({ m, isImportant }: { m: Message; isImportant: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const mark = useMutation({
    mutationFn: (v: { id: string; important: boolean }) =>
      put<Answer<"/api/messages/{messageId}/important", "put">>(`/api/messages/${v.id}/important`, {
        important: v.important,
      }),
    onSuccess: (r, v) =>
      qc.setQueryData<string[]>(importantKey(m.conversationId), (cur = []) =>
        r.important ? [...cur.filter((x) => x !== v.id), v.id] : cur.filter((x) => x !== v.id),
      ),
    onError: (err) => showErrorWithReason(t, err),
  });
  return (
    <Menu.Item
      leftSection={isImportant ? <IconStar size={14} /> : <IconStarFilled size={14} />}
      onClick={() => mark.mutate({ id: m.id, important: !isImportant })}
      data-testid="message-important-action"
    >
      {isImportant ? t("convTools.actions.unmarkImportant") : t("convTools.actions.markImportant")}
    </Menu.Item>
  );
}

/**
 * A message's menu: quote it in the reply, keep its text as a canned reply (R203), or mark an agent's
 * message important (a star shows it). Quote and "save as canned reply" are also buttons of their own,
 * shown on hover and when reached with the keyboard, so they do not hide behind the "⋯".
 * Until the pointer or the focus reaches the message (`reached`, lib/reach.ts) the quick buttons are drawn
 * without their tooltips, and the menu is mounted when it is first opened (`LazyDotsMenu`): those were most
 * of what mounting a conversation's feed cost. Whether the message is important comes from the feed, which
 * asks once for the conversation (`useImportantIds`).
 */
export function MessageActions({
  m,
  canQuote,
  reached,
  important,
}: {
  m: Message;
  canQuote: boolean;
  reached: boolean;
  /** The message is among the conversation's important ones (`useImportantIds`). */
  important: boolean;
}) {
  const { t } = useTranslation();
  const [saving, setSaving] = useState(false);
  const markable = isMarkable(m);
  const isImportant = markable && important;
  if (m.kind === "event") return null;
  const tip = (label: string, target: ReactElement) =>
    reached ? (
      <Tooltip label={label} openDelay={300}>
        {target}
      </Tooltip>
    ) : (
      target
    );
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
      <span className="parley-quick-actions" data-testid="message-quick-actions">
        {canQuote
          ? tip(
              t("convTools.actions.quote"),
              <button
                type="button"
                className="parley-icon-button"
                aria-label={t("convTools.actions.quote")}
                onClick={() => quoteStore.set(m.conversationId, m)}
                data-testid="message-quote-quick"
              >
                <IconQuote size={14} />
              </button>,
            )
          : null}
        {m.text
          ? tip(
              t("convTools.actions.saveCanned"),
              <button
                type="button"
                className="parley-icon-button"
                aria-label={t("convTools.actions.saveCanned")}
                onClick={() => setSaving(true)}
                data-testid="message-save-canned-quick"
              >
                <IconTemplate size={14} />
              </button>,
            )
          : null}
      </span>
      <LazyDotsMenu label={t("convTools.actions.menu")} testId="message-menu" iconSize={14}>
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
        {markable ? <ImportantMenuItem m={m} isImportant={isImportant} /> : null}
        <CommentMenuItems m={m} />
      </LazyDotsMenu>
      {saving ? (
        <Suspense fallback={null}>
          <SaveCannedModal text={m.text ?? ""} onClose={() => setSaving(false)} />
        </Suspense>
      ) : null}
    </>
  );
}
