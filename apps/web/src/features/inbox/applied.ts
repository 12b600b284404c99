import type { Conversation } from "@parley/protocol";
import { useQueryClient } from "@tanstack/react-query";
import { keys } from "../../api/queries";
import { putConversation } from "../../realtime/unread-states";

/**
 * What to do with the answer to the agent's own change to a conversation (status, assignment, star, snooze):
 * its new state goes into the cached lists at once, and the detail is read again (what the agent may do with
 * it may have changed).
 */
export function useApplied(conversationId: string, me: string) {
  const qc = useQueryClient();
  return (r: { conversation: Conversation }) => {
    putConversation(qc, me, r.conversation);
    void qc.invalidateQueries({ queryKey: keys.conversation(conversationId) });
  };
}
