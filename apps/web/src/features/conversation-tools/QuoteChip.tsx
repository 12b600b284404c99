import { CloseButton, Group, Paper, Text } from "@mantine/core";
import { IconQuote } from "@tabler/icons-react";
import { useTranslation } from "react-i18next";
import { quoteStore, useQuote } from "./tools";

/** The quoted message above the composer, with a way to drop it. */
export function QuoteChip({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const quote = useQuote(conversationId);
  if (!quote) return null;
  return (
    <Paper withBorder radius="sm" px="xs" py={4} mb={6} data-testid="composer-quote">
      <Group gap={6} wrap="nowrap">
        <IconQuote size={14} />
        <Text size="xs" c="dimmed" style={{ flex: 1 }} lineClamp={1}>
          {t("convTools.quote.replyingTo")}: {quote.text || quote.attachments[0]?.name || ""}
        </Text>
        <CloseButton
          size="xs"
          onClick={() => quoteStore.set(conversationId, null)}
          aria-label={t("convTools.quote.cancel")}
        />
      </Group>
    </Paper>
  );
}
