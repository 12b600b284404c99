import { ActionIcon, Tooltip } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { CAPABILITIES } from "@parley/protocol/capabilities";
import { IconRefresh } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { post } from "../../api/client";
import { useConversation } from "../../api/queries";
import { useSeenBy } from "../../api/receipts";
import { showError } from "../../lib/notify";
import { addOwnMessage } from "../../realtime/apply";
import { DeliveryTicks } from "../inbox/DeliveryTicks";

/**
 * The receipts of one of our messages in the feed (R301, R302): the ticks, told whether the channel or the
 * policy reports reading at all, and "send again" when it failed.
 */
export function MessageReceipts({ m, conversationId }: { m: Message; conversationId: string }) {
  const conversation = useConversation(conversationId).data;
  const seen = useSeenBy(conversationId).data;
  if (!m.delivery) return null;
  const caps = conversation ? CAPABILITIES[conversation.connection.type] : null;
  return (
    <>
      <DeliveryTicks
        state={m.delivery.state}
        delivery={m.delivery}
        reportsRead={caps?.reportsRead ?? true}
        readOff={seen?.readTrackingOff ?? null}
      />
      {m.delivery.state === "failed" && conversation?.permissions?.reply ? (
        <RetryButton m={m} conversationId={conversationId} />
      ) : null}
    </>
  );
}

/** "Send again" for a failed message: its mutation exists only where a message failed. */
function RetryButton({ m, conversationId }: { m: Message; conversationId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const retry = useMutation({
    mutationFn: () =>
      post<{ message: Message }>(`/api/conversations/${conversationId}/messages/${m.id}/retry`),
    onSuccess: (r) => addOwnMessage(qc, r.message),
    onError: (err) => showError(t, err),
  });
  return (
    <Tooltip label={t("receiptTicks.retry")}>
      <ActionIcon
        size="xs"
        variant="subtle"
        color="red"
        aria-label={t("receiptTicks.retry")}
        data-testid="retry"
        loading={retry.isPending}
        onClick={() => retry.mutate()}
      >
        <IconRefresh size={13} />
      </ActionIcon>
    </Tooltip>
  );
}
