import { Button, Group, Paper, SegmentedControl, Stack, Switch, Text, Textarea, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type AutoReply, useAutoReplies, useSaveAutoReply } from "./hours-api";

const LANGS = ["en", "ru", "uk"] as const;

/** The outside-hours automatic reply of each connection: on or off, its text per language, the one sent. */
export function AutoReplies() {
  const { t } = useTranslation();
  const replies = useAutoReplies();
  return (
    <Stack gap="sm">
      <Title order={4}>{t("hours.autoReply.title")}</Title>
      <Text size="sm" c="dimmed">
        {t("hours.autoReply.hint")}
      </Text>
      {replies.data?.replies.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("hours.autoReply.noConnections")}
        </Text>
      ) : null}
      {replies.data?.replies.map((r) => (
        <ReplyCard key={r.connectionId} reply={r} />
      ))}
    </Stack>
  );
}

function ReplyCard({ reply }: { reply: AutoReply }) {
  const { t } = useTranslation();
  const [enabled, setEnabled] = useState(reply.enabled);
  const [language, setLanguage] = useState<(typeof LANGS)[number]>(reply.language);
  const [texts, setTexts] = useState<Record<string, string>>({ ...reply.texts });
  const save = useSaveAutoReply();
  return (
    <Paper withBorder radius="md" p="md" data-testid="auto-reply-card">
      <Group justify="space-between" mb="xs">
        <Text fw={500}>
          {reply.connectionName}{" "}
          <Text span c="dimmed" size="xs">
            ({reply.channel})
          </Text>
        </Text>
        <Switch
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
          label={t("hours.autoReply.enabled")}
          data-testid="auto-reply-enabled"
        />
      </Group>
      <Stack gap="xs">
        {LANGS.map((l) => (
          <Textarea
            key={l}
            label={t(`hours.autoReply.lang.${l}`)}
            autosize
            minRows={2}
            maxLength={1000}
            value={texts[l] ?? ""}
            data-testid={`auto-reply-text-${l}`}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setTexts((x) => ({ ...x, [l]: v }));
            }}
          />
        ))}
        <Group justify="space-between">
          <Group gap="xs">
            <Text size="sm">{t("hours.autoReply.sendIn")}</Text>
            <SegmentedControl
              size="xs"
              value={language}
              onChange={(v) => setLanguage(v as (typeof LANGS)[number])}
              data={LANGS.map((l) => ({ value: l, label: t(`hours.autoReply.lang.${l}`) }))}
            />
          </Group>
          <Button
            size="xs"
            loading={save.isPending}
            data-testid="auto-reply-save"
            onClick={() =>
              save.mutate({ connectionId: reply.connectionId, body: { enabled, language, texts } })
            }
          >
            {t("hours.save")}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
