import type { Conversation } from "@parley/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { put } from "../../api/client";
import type { Answer } from "../../api/types";
import { showErrorWithReason } from "../../lib/notify";
import { notifyKeys, type SettingsResponse, useNotificationSettings } from "../notifications/api";

/**
 * Whether the caller muted the conversation, and a switch for it. Muting is the caller's own: the list of
 * muted conversations comes with their notification settings.
 */
export function useMuteConversation(c: Conversation) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const settings = useNotificationSettings();
  const muted = settings.data?.mutedConversationIds.includes(c.id) ?? false;
  const mute = useMutation({
    mutationFn: (on: boolean) =>
      put<Answer<"/api/conversations/{id}/mute", "put">>(`/api/conversations/${c.id}/mute`, { muted: on }),
    onSuccess: (r) =>
      qc.setQueryData<SettingsResponse>(notifyKeys.settings, (cur) =>
        cur
          ? {
              ...cur,
              mutedConversationIds: r.muted
                ? [c.id, ...cur.mutedConversationIds.filter((x) => x !== c.id)]
                : cur.mutedConversationIds.filter((x) => x !== c.id),
            }
          : cur,
      ),
    onError: (err) => showErrorWithReason(t, err),
  });
  return { loaded: !!settings.data, muted, mute };
}
