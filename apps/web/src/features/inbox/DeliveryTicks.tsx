import { Tooltip } from "@mantine/core";
import type { Delivery, DeliveryState } from "@parley/protocol";
import { IconCheck, IconChecks, IconClock, IconX } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";

/**
 * The delivery state of an outgoing message (R301): clock queued, one tick sent or delivered, two ticks
 * read, a red cross when it failed, with the reason in the tooltip.
 */
export function DeliveryTicks({
  state,
  delivery,
  size = 15,
}: {
  state: DeliveryState;
  delivery?: Delivery | null;
  size?: number;
}) {
  const { t } = useTranslation();
  let label: string;
  let icon: React.ReactNode;
  switch (state) {
    case "queued":
      label = t("delivery.queued");
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
  return (
    <Tooltip label={label} withArrow openDelay={150} multiline maw={320}>
      <span
        data-testid="delivery"
        data-state={state}
        aria-label={label}
        role="img"
        style={{ display: "inline-flex", lineHeight: 0 }}
      >
        {icon}
      </span>
    </Tooltip>
  );
}
