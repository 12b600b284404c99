import { Alert, Button, Group, Text } from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { useTranslation } from "react-i18next";
import { useBlockContact } from "./useBlockContact";

/** R209: while the contact is blocked nothing is sent or received; the composer says so and offers to unblock. */
export function BlockedNotice({ conversation }: { conversation: Conversation }) {
  const { t } = useTranslation();
  const unblock = useBlockContact(conversation, false);
  if (!conversation.contact.blocked) return null;
  return (
    <Alert color="red" variant="light" py={6} mb={6} data-testid="blocked-notice">
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm">{t("convTools.block.notice")}</Text>
        <Button
          size="compact-xs"
          color="red"
          variant="light"
          loading={unblock.isPending}
          onClick={() => unblock.mutate()}
          data-testid="unblock"
        >
          {t("convTools.block.unblock")}
        </Button>
      </Group>
    </Alert>
  );
}
