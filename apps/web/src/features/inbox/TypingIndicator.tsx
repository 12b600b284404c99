import { Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useUsers } from "../../api/queries";
import { useTyping } from "../../realtime/typing";

/** "The customer is typing…" / "Anna is typing…" under the feed, from the socket's typing signals. */
export function TypingIndicator({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const typists = useTyping(conversationId);
  const users = useUsers();
  if (!typists.length) return null;
  const names = typists.map((p) =>
    p.contact
      ? t("typing.customer")
      : (users.data?.find((u) => u.id === p.userId)?.name ?? t("typing.colleague")),
  );
  return (
    <Text
      size="xs"
      c="dimmed"
      px="lg"
      py={2}
      fs="italic"
      aria-live="polite"
      data-testid="typing-indicator"
      style={{ position: "absolute", bottom: 0, left: 0 }}
    >
      {t("typing.isTyping", { names: names.join(", "), count: names.length })}
    </Text>
  );
}
