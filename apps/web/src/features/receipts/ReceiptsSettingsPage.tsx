import {
  Alert,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Modal,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  TextInput,
  Timeline,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import type { Message } from "@parley/protocol";
import { IconDownload, IconSend, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { type Contact, useContactSearch } from "../../api/channels";
import { del, get, patch, post, put } from "../../api/client";
import type { Session } from "../../api/queries";
import {
  type Diagnostics,
  type ReceiptSettingsView,
  receiptKeys,
  useReceiptSettings,
} from "../../api/receipts";
import { errorText } from "../../lib/errors";
import { fullDateTime } from "../../lib/format";
import { contactName } from "../inbox/ContactAvatar";
import { DeliveryTicks } from "../inbox/DeliveryTicks";
import { toolKeys, useWorkspaceSettings } from "../inbox/inbox-tools-api";
import { isAdminRole, PageShell } from "../layout/AppHeader";

/**
 * `/settings/receipts` (admins): the read-receipt policy and privacy settings (R305–R307), each
 * connection's override, a contact's data export and erasure, and per-connection diagnostics with a test
 * message and its live receipt trail (R308).
 */
export default function ReceiptsSettingsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  // A "channel problem" notification opens the diagnostics: /settings/receipts?tab=diagnostics
  const [params] = useSearchParams();
  const tab = params.get("tab");
  if (!isAdminRole(session.user.role))
    return (
      <PageShell session={session}>
        <Alert color="yellow">{t("receiptSettings.adminsOnly")}</Alert>
      </PageShell>
    );
  return (
    <PageShell session={session}>
      <Stack gap="md">
        <Title order={3}>{t("receiptSettings.title")}</Title>
        <Tabs defaultValue={tab === "diagnostics" ? "diagnostics" : "policy"} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="policy">{t("receiptSettings.tabs.policy")}</Tabs.Tab>
            <Tabs.Tab value="privacy">{t("receiptSettings.tabs.privacy")}</Tabs.Tab>
            <Tabs.Tab value="diagnostics" data-testid="tab-diagnostics">
              {t("receiptSettings.tabs.diagnostics")}
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="policy" pt="md">
            <PolicyPanel />
          </Tabs.Panel>
          <Tabs.Panel value="privacy" pt="md">
            <PrivacyPanel />
          </Tabs.Panel>
          <Tabs.Panel value="diagnostics" pt="md">
            <DiagnosticsPanel />
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </PageShell>
  );
}

function useSaveSettings() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<ReceiptSettingsView["settings"]>) =>
      patch<ReceiptSettingsView>("/api/receipts/settings", body),
    onSuccess: (view) => qc.setQueryData(receiptKeys.settings, view),
    onError: (err) => notifications.show({ color: "red", message: errorText(t, err) }),
  });
}

function PolicyPanel() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const view = useReceiptSettings();
  const save = useSaveSettings();
  const override = useMutation({
    mutationFn: ({ id, readReceipts }: { id: string; readReceipts: boolean | null }) =>
      put(`/api/connections/${id}/receipt-policy`, { readReceipts }),
    onSuccess: () => qc.invalidateQueries({ queryKey: receiptKeys.settings }),
    onError: (err) => notifications.show({ color: "red", message: errorText(t, err) }),
  });
  const workspace = useWorkspaceSettings();
  const sendSeen = useMutation({
    mutationFn: (value: string) => patch("/api/workspace", { settings: { sendSeen: value } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: toolKeys.workspace }),
    onError: (err) => notifications.show({ color: "red", message: errorText(t, err) }),
  });
  if (!view.data)
    return (
      <Center py="xl">
        <Loader size="sm" />
      </Center>
    );
  const s = view.data.settings;
  const toValue = (v: boolean | null) => (v === null ? "inherit" : v ? "on" : "off");
  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md">
        <Switch
          checked={s.readReceipts}
          onChange={(e) => save.mutate({ readReceipts: e.currentTarget.checked })}
          label={t("receiptSettings.readReceipts")}
          description={t("receiptSettings.readReceiptsHint")}
          data-testid="setting-read-receipts"
        />
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Select
          label={t("receiptSettings.sendSeen")}
          description={t("receiptSettings.sendSeenHint")}
          allowDeselect={false}
          maw={420}
          value={workspace.data?.sendSeen ?? "off"}
          onChange={(v) => v && sendSeen.mutate(v)}
          data={(["off", "on_open", "on_reply"] as const).map((k) => ({
            value: k,
            label: t(`receiptSettings.sendSeenOptions.${k}`),
          }))}
          data-testid="setting-send-seen"
        />
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Text fw={600} mb="sm">
          {t("receiptSettings.connections")}
        </Text>
        <Table>
          <Table.Tbody>
            {view.data.connections.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Text size="sm">{c.name}</Text>
                  <Text size="xs" c="dimmed">
                    {c.type}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {c.reportsRead ? (
                    <Badge variant="light" color="blue">
                      {t("receiptSettings.reportsRead")}
                    </Badge>
                  ) : (
                    <Badge variant="light" color="gray">
                      {t("receiptSettings.noReadReports")}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td w={200}>
                  <Select
                    size="xs"
                    allowDeselect={false}
                    aria-label={t("receiptSettings.readReceipts")}
                    value={toValue(c.readReceipts)}
                    onChange={(v) =>
                      override.mutate({ id: c.id, readReceipts: v === "inherit" ? null : v === "on" })
                    }
                    data={(["inherit", "on", "off"] as const).map((k) => ({
                      value: k,
                      label: t(`receiptControls.override.${k}`),
                    }))}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

function PrivacyPanel() {
  const { t } = useTranslation();
  const view = useReceiptSettings();
  const save = useSaveSettings();
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const contacts = useContactSearch(debounced);
  const [erasing, setErasing] = useState<Contact | null>(null);
  const qc = useQueryClient();
  const erase = useMutation({
    mutationFn: (id: string) =>
      del<{ erased: { conversations: number; messages: number } }>(`/api/contacts/${id}/data`),
    onSuccess: (r) => {
      setErasing(null);
      void qc.invalidateQueries({ queryKey: ["contacts"] });
      notifications.show({ message: t("receiptSettings.erased", r.erased) });
    },
    onError: (err) => notifications.show({ color: "red", message: errorText(t, err) }),
  });
  const exportContact = async (c: Contact) => {
    try {
      const data = await get<unknown>(`/api/contacts/${c.id}/export`);
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }),
      );
      const a = document.createElement("a");
      a.href = url;
      a.download = `parley-contact-${c.id}.json`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      notifications.show({ color: "red", message: errorText(t, err) });
    }
  };
  if (!view.data)
    return (
      <Center py="xl">
        <Loader size="sm" />
      </Center>
    );
  const s = view.data.settings;
  return (
    <Stack gap="md">
      <Paper withBorder p="md" radius="md">
        <Stack gap="md">
          <Switch
            checked={s.consentMode}
            onChange={(e) => save.mutate({ consentMode: e.currentTarget.checked })}
            label={t("receiptSettings.consentMode")}
            description={t("receiptSettings.consentModeHint")}
          />
          <Group align="flex-end">
            <Switch
              checked={s.retentionDays !== null}
              onChange={(e) => save.mutate({ retentionDays: e.currentTarget.checked ? 90 : null })}
              label={t("receiptSettings.retention")}
              description={t("receiptSettings.retentionHint")}
            />
            {s.retentionDays !== null ? (
              <NumberInput
                w={140}
                min={1}
                max={3650}
                suffix={` ${t("receiptSettings.days")}`}
                defaultValue={s.retentionDays}
                aria-label={t("receiptSettings.retention")}
                onBlur={(e) => {
                  const n = Number.parseInt(e.currentTarget.value, 10);
                  if (n >= 1 && n <= 3650 && n !== s.retentionDays) save.mutate({ retentionDays: n });
                }}
              />
            ) : null}
          </Group>
          <Switch
            checked={s.anonymiseReports}
            onChange={(e) => save.mutate({ anonymiseReports: e.currentTarget.checked })}
            label={t("receiptSettings.anonymise")}
            description={t("receiptSettings.anonymiseHint")}
          />
        </Stack>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <Text fw={600}>{t("receiptSettings.contactData")}</Text>
        <Text size="sm" c="dimmed" mb="sm">
          {t("receiptSettings.contactDataHint")}
        </Text>
        <TextInput
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          placeholder={t("receiptSettings.findContact")}
          aria-label={t("receiptSettings.findContact")}
          mb="sm"
        />
        <Table>
          <Table.Tbody>
            {(contacts.data ?? []).slice(0, 10).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{contactName(c) ?? "—"}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconDownload size={14} />}
                      onClick={() => exportContact(c)}
                    >
                      {t("receiptSettings.export")}
                    </Button>
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      leftSection={<IconTrash size={14} />}
                      onClick={() => setErasing(c)}
                    >
                      {t("receiptSettings.erase")}
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Modal opened={!!erasing} onClose={() => setErasing(null)} title={t("receiptSettings.eraseTitle")}>
        <Stack>
          <Text size="sm">
            {t("receiptSettings.eraseConfirm", { name: erasing ? (contactName(erasing) ?? "—") : "" })}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setErasing(null)}>
              {t("receiptSettings.cancel")}
            </Button>
            <Button color="red" loading={erase.isPending} onClick={() => erasing && erase.mutate(erasing.id)}>
              {t("receiptSettings.erase")}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function DiagnosticsPanel() {
  const { t, i18n } = useTranslation();
  const view = useReceiptSettings();
  const [connectionId, setConnectionId] = useState<string | null>(null);
  const id = connectionId ?? view.data?.connections[0]?.id ?? null;
  const d = useQuery({
    queryKey: receiptKeys.diagnostics(id ?? ""),
    queryFn: () => get<Diagnostics>(`/api/connections/${id}/diagnostics`),
    enabled: !!id,
    refetchInterval: 30_000,
  });
  const when = (iso: string | null) =>
    iso ? fullDateTime(iso, i18n.language) : t("receiptDiagnostics.never");
  if (!view.data)
    return (
      <Center py="xl">
        <Loader size="sm" />
      </Center>
    );
  if (!view.data.connections.length) return <Text c="dimmed">{t("receiptDiagnostics.noConnections")}</Text>;
  return (
    <Stack gap="md" data-testid="diagnostics">
      <Select
        label={t("receiptDiagnostics.connection")}
        allowDeselect={false}
        value={id}
        onChange={setConnectionId}
        data={view.data.connections.map((c) => ({ value: c.id, label: `${c.name} (${c.type})` }))}
        maw={360}
      />
      {d.isError ? <Alert color="red">{errorText(t, d.error)}</Alert> : null}
      {d.data ? (
        <>
          <Paper withBorder p="md" radius="md">
            <Table>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.lastWebhook")}</Table.Td>
                  <Table.Td data-testid="diag-last-webhook">{when(d.data.lastWebhookAt)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.lastStatus")}</Table.Td>
                  <Table.Td data-testid="diag-last-status">
                    {d.data.connection.reportsDelivered || d.data.connection.reportsRead
                      ? when(d.data.lastStatusAt)
                      : t("receiptDiagnostics.noStatusReports")}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.errors")}</Table.Td>
                  <Table.Td data-testid="diag-errors">
                    {d.data.errorCount}
                    {d.data.lastError ? ` · ${d.data.lastError} (${when(d.data.lastErrorAt)})` : ""}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.last24h")}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {(["queued", "sent", "delivered", "read", "failed"] as const).map((s) => (
                        <Badge key={s} variant="light" color={s === "failed" ? "red" : "gray"}>
                          {t(`receiptDiagnostics.state.${s}`)}: {d.data.last24h[s] ?? 0}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Td>{t("receiptDiagnostics.pendingEarly")}</Table.Td>
                  <Table.Td>{d.data.pendingEarlyReceipts}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          </Paper>
          {d.data.accountErrors.length > 0 ? (
            <Paper withBorder p="md" radius="md">
              <Text fw={600} mb={4}>
                {t("receiptDiagnostics.accountErrors")}
              </Text>
              <Text size="sm" c="dimmed" mb="sm">
                {t("receiptDiagnostics.accountErrorsHint")}
              </Text>
              <Table data-testid="diag-account-errors">
                <Table.Tbody>
                  {d.data.accountErrors.map((e) => (
                    <Table.Tr key={`${e.code}-${e.at}`}>
                      <Table.Td>{when(e.lastAt)}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color="red">
                          {e.code}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {e.title}
                        </Text>
                        {e.detail ? (
                          <Text size="xs" c="dimmed">
                            {e.detail}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        {e.occurrences > 1
                          ? t("receiptDiagnostics.repeated", { count: e.occurrences, since: when(e.at) })
                          : null}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
          ) : null}
          <Paper withBorder p="md" radius="md">
            <Text fw={600} mb="sm">
              {t("receiptDiagnostics.recentFailures")}
            </Text>
            {d.data.recentFailures.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("receiptDiagnostics.noFailures")}
              </Text>
            ) : (
              <Table data-testid="diag-failures">
                <Table.Tbody>
                  {d.data.recentFailures.map((f) => (
                    <Table.Tr key={f.messageId}>
                      <Table.Td>{when(f.failedAt)}</Table.Td>
                      <Table.Td>#{f.conversationNumber}</Table.Td>
                      <Table.Td>
                        {f.reason ? t(`failure.${f.reason as "provider_error"}`) : "—"}
                        {f.detail ? ` (${f.detail})` : ""}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
          <TestMessage d={d.data} />
        </>
      ) : null}
    </Stack>
  );
}

/** Sends a test message into one of the connection's conversations and follows its receipts live. */
function TestMessage({ d }: { d: Diagnostics }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [conversationId, setConversationId] = useState<string | null>(d.conversations[0]?.id ?? null);
  const [messageId, setMessageId] = useState<string | null>(null);
  const trail = useQuery<Message>({
    queryKey: receiptKeys.trail(messageId ?? ""),
    queryFn: () => Promise.reject(new Error("set by the send")),
    enabled: false,
  });
  const send = useMutation({
    mutationFn: () =>
      post<{ message: Message }>(`/api/connections/${d.connection.id}/test-message`, {
        conversationId,
        text: t("receiptDiagnostics.testText"),
      }),
    onSuccess: (r) => {
      qc.setQueryData(receiptKeys.trail(r.message.id), r.message);
      setMessageId(r.message.id);
    },
    onError: (err) => notifications.show({ color: "red", message: errorText(t, err) }),
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
      {d.conversations.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("receiptDiagnostics.noConversations")}
        </Text>
      ) : (
        <Group align="flex-end" mb="md">
          <Select
            label={t("receiptDiagnostics.testTo")}
            allowDeselect={false}
            value={conversationId}
            onChange={setConversationId}
            data={d.conversations.map((c) => ({
              value: c.id,
              label: `#${c.number} · ${c.contactName ?? c.externalId}`,
            }))}
            w={320}
          />
          <Button
            leftSection={<IconSend size={16} />}
            loading={send.isPending}
            disabled={!conversationId}
            onClick={() => send.mutate()}
            data-testid="send-test"
          >
            {t("receiptDiagnostics.send")}
          </Button>
        </Group>
      )}
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
