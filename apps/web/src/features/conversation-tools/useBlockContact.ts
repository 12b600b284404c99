import { notifications } from "@mantine/notifications";
import type { Conversation } from "@parley/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { post } from "../../api/client";
import { keys } from "../../api/queries";
import type { Answer } from "../../api/types";
import { showError } from "../../lib/notify";

/** Blocks or unblocks the conversation's contact and updates the open conversation in place. */
export function useBlockContact(conversation: Conversation, block: boolean) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      post<Answer<"/api/contacts/{id}/block", "post">>(
        `/api/contacts/${conversation.contact.id}/${block ? "block" : "unblock"}`,
      ),
    onSuccess: (r) => {
      qc.setQueryData<Conversation>(keys.conversation(conversation.id), (c) =>
        c ? { ...c, contact: { ...c.contact, blocked: r.contact.blocked } } : c,
      );
      void qc.invalidateQueries({ queryKey: ["contact", conversation.contact.id] });
      notifications.show({ message: t(block ? "convTools.block.done" : "convTools.block.undone") });
    },
    onError: (err) => showError(t, err),
  });
}
