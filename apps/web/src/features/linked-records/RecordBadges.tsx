import { Anchor, Badge, Button, Group, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";
import {
  type LinkedRecord,
  useContactRecords,
  useConversationRecords,
  useCreateNow,
} from "./linked-records-api";

function RecordBadge({ r }: { r: LinkedRecord }) {
  const { t } = useTranslation();
  if (r.status === "created")
    return r.externalUrl ? (
      <Anchor href={r.externalUrl} target="_blank" rel="noreferrer" size="xs" data-testid="linked-record">
        {t("linkedRecords.record", { id: r.externalId })}
      </Anchor>
    ) : (
      <Badge size="xs" variant="light" data-testid="linked-record">
        {t("linkedRecords.record", { id: r.externalId })}
      </Badge>
    );
  return (
    <Tooltip label={r.lastError ?? t("linkedRecords.pending")} withArrow disabled={!r.lastError}>
      <Badge
        size="xs"
        color={r.status === "failed" ? "red" : "gray"}
        variant="light"
        data-testid="linked-record"
      >
        {t(`linkedRecords.status.${r.status}`)}
      </Badge>
    </Tooltip>
  );
}

/** The conversation header's linked records, and "Create now" when a template applies and none exists. */
export function ConversationRecords({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const q = useConversationRecords(conversationId);
  const create = useCreateNow();
  const records = q.data?.records ?? [];
  const canCreate = q.data?.configured && !records.some((r) => r.status !== "failed");
  if (!records.length && !canCreate) return null;
  return (
    <Group gap={6} wrap="nowrap">
      {records.map((r) => (
        <RecordBadge key={r.id} r={r} />
      ))}
      {canCreate ? (
        <Button
          size="compact-xs"
          variant="light"
          loading={create.isPending}
          onClick={() => create.mutate(conversationId)}
          data-testid="linked-record-create"
        >
          {t("linkedRecords.createNow")}
        </Button>
      ) : null}
    </Group>
  );
}

/** The contact panel's linked records (of all the contact's conversations). */
export function ContactRecords({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const q = useContactRecords(contactId);
  const records = q.data?.records ?? [];
  if (!records.length) return null;
  return (
    <div>
      <Group gap={4} mb={4}>
        <Badge size="xs" variant="transparent" p={0} fw={700} c="dark">
          {t("linkedRecords.title")}
        </Badge>
      </Group>
      <Group gap={6}>
        {records.map((r) => (
          <RecordBadge key={r.id} r={r} />
        ))}
      </Group>
    </div>
  );
}
