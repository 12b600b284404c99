import { Stack, Text } from "@mantine/core";
import type { Delivery, DeliveryState } from "@parley/protocol";
import { IconCheck, IconChecks, IconClock, IconX } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import type { ReadTrackingOff } from "../../api/receipts";
import { useLazyTooltip } from "../../components/lazy-popups";
import { fullDateTime } from "../../lib/format";

/**
 * The delivery state of an outgoing message (R301, R302): clock queued, one grey tick sent, one green tick
 * delivered, two blue ticks read, a red cross when it failed. The tooltip lists each step's time and the
 * failure reason in words (or, while queued, that the channel is rate-limiting and until when), and says when the channel (or the policy) reports no read state, so a single
 * tick is not taken for "unread".
 */
export function DeliveryTicks({
  state,
  delivery,
  size = 15,
  reportsRead = true,
  readOff = null,
}: {
  state: DeliveryState;
  delivery?: Delivery | null;
  size?: number;
  /** The channel's capability: false when it never reports reading. */
  reportsRead?: boolean;
  /** Read tracking is off for this conversation (policy or no consent). */
  readOff?: ReadTrackingOff | null;
}) {
  const { t, i18n } = useTranslation();
  let label: string;
  let icon: React.ReactNode;
  switch (state) {
    case "queued":
      // The channel asked to wait ("too many requests"): say until when, not just "queued".
      label = delivery?.waiting
        ? t("delivery.waiting", { time: fullDateTime(delivery.waiting.until, i18n.language) })
        : t("delivery.queued");
      icon = <IconClock size={size} color="var(--mantine-color-gray-6)" />;
      break;
    case "sent":
      label = t("delivery.sent");
      icon = <IconCheck size={size} color="var(--mantine-color-gray-6)" />;
      break;
    case "delivered":
      label = t("delivery.delivered");
      icon = <IconCheck size={size} color="var(--mantine-color-teal-7)" />;
      break;
    case "read":
      label = t("delivery.read");
      icon = <IconChecks size={size} color="var(--mantine-color-blue-6)" />;
      break;
    case "failed": {
      const reason = delivery?.failureReason ? t(`failure.${delivery.failureReason}`) : t("errors.generic");
      label = t("delivery.failed", {
        reason: delivery?.failureDetail ? `${reason} (${delivery.failureDetail})` : reason,
      });
      icon = <IconX size={size} color="var(--mantine-color-red-7)" />;
      break;
    }
  }
  const when = (iso: string | null | undefined) => (iso ? fullDateTime(iso, i18n.language) : null);
  const steps = delivery
    ? (
        [
          ["queuedAt", delivery.queuedAt],
          ["sentAt", delivery.sentAt],
          ["deliveredAt", delivery.deliveredAt],
          ["readAt", delivery.readAt],
          ["failedAt", delivery.failedAt],
        ] as const
      ).filter(([, at]) => at)
    : [];
  // Where nothing will ever say "read", the UI says so instead of implying the customer has not read it.
  const noRead =
    state !== "read" && state !== "failed" && state !== "queued"
      ? !reportsRead
        ? t("receiptTicks.channelNoRead")
        : readOff
          ? t(`receiptTicks.off.${readOff}`)
          : null
      : null;
  // The timeline's tooltip is mounted once the pointer first reaches the ticks: the list and the feed draw
  // ticks for many messages, and a tooltip each is a floating-ui instance to set up.
  const tip = useLazyTooltip(
    () => (
      <Stack gap={2}>
        <Text size="xs" fw={600}>
          {label}
        </Text>
        {steps.map(([k, at]) => (
          <Text size="xs" key={k} data-testid={`delivery-step-${k}`}>
            {t(`receiptTicks.steps.${k}`)}: {when(at)}
          </Text>
        ))}
        {noRead ? (
          <Text size="xs" fs="italic" data-testid="delivery-no-read">
            {noRead}
          </Text>
        ) : null}
      </Stack>
    ),
    { withArrow: true, multiline: true, maw: 340 },
  );
  return (
    <span
      data-testid="delivery"
      data-state={state}
      data-waiting={delivery?.waiting ? delivery.waiting.reason : undefined}
      data-no-read={noRead ? "true" : undefined}
      aria-label={label}
      role="img"
      style={{ display: "inline-flex", lineHeight: 0, position: "relative" }}
      {...tip.targetProps}
    >
      {icon}
      {tip.tooltip}
    </span>
  );
}
