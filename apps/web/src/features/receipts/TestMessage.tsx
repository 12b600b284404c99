import { Alert, Button, Group, Paper, Select, Stack, Text, TextInput, Timeline } from "@mantine/core";
import type { Message } from "@parley/protocol";
import { IconSend } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { post } from "../../api/client";
import { type Diagnostics, receiptKeys } from "../../api/receipts";
import { fullDateTime } from "../../lib/format";
import { showErrorWithReason } from "../../lib/notify";
import { DeliveryTicks } from "../inbox/DeliveryTicks";

/**
 * Sends a labelled test message to a test contact the admin names (their own number, the channel's sandbox;
 * never a customer, which the server refuses) in the workspace's language or the one chosen, and follows its
 * receipts live.
 */
export function TestMessage({ d }: { d: Diagnostics }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [to, setTo] = useState(d.testContacts[0]?.externalId ?? "");
  const [language, setLanguage] = useState<string>(d.language);
  const [messageId, setMessageId] = useState<string | null>(null);
  const trail = useQuery<Message>({
    queryKey: receiptKeys.trail(messageId ?? ""),
    queryFn: () => Promise.reject(new Error("set by the send")),
    enabled: false,
  });
  const send = useMutation({
    mutationFn: () =>
      post<{ message: Message }>(`/api/connections/${d.connection.id}/test-message`, {
        to: to.trim(),
        language,
      }),
    onSuccess: (r) => {
      qc.setQueryData(receiptKeys.trail(r.message.id), r.message);
      setMessageId(r.message.id);
    },
    onError: (err) => showErrorWithReason(t, err),
  });
  const m = trail.data;
  const steps = m?.delivery
    ? (
        [
          ["queuedAt", m.delivery.queuedAt],
          ["sentAt", m.delivery.sentAt],
          ["deliveredAt", m.delivery.deliveredAt],
          ["readAt", m.delivery.readAt],
          ["failedAt", m.delivery.failedAt],
        ] as const
      ).filter(([k, at]) => at || k !== "failedAt")
    : [];
  const reached = steps.filter(([, at]) => at).length;
  return (
    <Paper withBorder p="md" radius="md">
      <Text fw={600} mb="sm">
        {t("receiptDiagnostics.testTitle")}
      </Text>
      <Text size="sm" c="dimmed" mb="sm">
        {t("agentDay.testIntro")}
      </Text>
      <Group align="flex-end" mb="md">
        <TextInput
          label={t("agentDay.testTo")}
          placeholder={t("agentDay.testToPlaceholder")}
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          data-testid="test-to"
          w={280}
        />
        <Select
          label={t("agentDay.testLanguage")}
          allowDeselect={false}
          value={language}
          onChange={(v) => setLanguage(v ?? d.language)}
          data={(["en", "ru", "uk"] as const).map((l) => ({ value: l, label: t(`agentDay.languages.${l}`) }))}
          data-testid="test-language"
          w={160}
        />
        <Button
          leftSection={<IconSend size={16} />}
          loading={send.isPending}
          disabled={!to.trim()}
          onClick={() => send.mutate()}
          data-testid="send-test"
        >
          {t("receiptDiagnostics.send")}
        </Button>
      </Group>
      {m?.delivery ? (
        <Stack gap="xs" data-testid="test-trail" data-state={m.delivery.state}>
          <Group gap="xs">
            <DeliveryTicks
              state={m.delivery.state}
              delivery={m.delivery}
              reportsRead={d.connection.reportsRead}
            />
            <Text size="sm">{t(`receiptDiagnostics.state.${m.delivery.state}`)}</Text>
          </Group>
          <Timeline active={reached - 1} bulletSize={14} lineWidth={2}>
            {steps.map(([k, at]) => (
              <Timeline.Item key={k} title={t(`receiptTicks.steps.${k}`)} data-testid={`trail-${k}`}>
                <Text size="xs" c="dimmed">
                  {at ? fullDateTime(at, i18n.language) : t("receiptDiagnostics.waiting")}
                </Text>
              </Timeline.Item>
            ))}
          </Timeline>
          {m.delivery.failureReason ? (
            <Alert color="red" variant="light">
              {t(`failure.${m.delivery.failureReason}`)}
              {m.delivery.failureDetail ? ` (${m.delivery.failureDetail})` : ""}
            </Alert>
          ) : null}
          {!d.connection.reportsRead ? (
            <Text size="xs" c="dimmed">
              {t("receiptTicks.channelNoRead")}
            </Text>
          ) : null}
        </Stack>
      ) : null}
    </Paper>
  );
}
