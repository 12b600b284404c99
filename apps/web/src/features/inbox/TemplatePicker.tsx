import {
  Alert,
  Box,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import type { Conversation } from "@parley/protocol";
import { IconSend } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { renderTemplateText, useTemplates } from "../../api/channels";
import { client, data } from "../../api/client";
import { keys } from "../../api/queries";
import { errorWithReason } from "../../lib/errors";
import { addOwnMessage } from "../../realtime/apply";

type Values = { header: string[]; body: string[]; buttons: string[] };
const empty = (n: number) => Array.from({ length: n }, () => "");

/**
 * Picks an approved template of the conversation's channel, fills its variables per component, previews
 * the text the customer will get, and sends it (POST /api/conversations/:id/template-messages).
 */
export function TemplatePicker({
  conversation,
  opened,
  onClose,
}: {
  conversation: Conversation;
  opened: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const templates = useTemplates(conversation.connection.id, opened);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [values, setValues] = useState<Values>({ header: [], body: [], buttons: [] });
  const tpl = templates.data?.find((x) => x.id === templateId) ?? null;

  const choose = (id: string | null) => {
    setTemplateId(id);
    const next = templates.data?.find((x) => x.id === id);
    setValues({
      header: empty(next?.variables.header ?? 0),
      body: empty(next?.variables.body ?? 0),
      buttons: empty(next?.variables.buttons ?? 0),
    });
    send.reset();
  };

  const send = useMutation({
    mutationFn: (templateId: string) =>
      data(
        client.POST("/api/conversations/{id}/template-messages", {
          params: { path: { id: conversation.id } },
          body: {
            templateId,
            variables: {
              body: values.body.map((v) => v.trim()),
              ...(values.header.length ? { header: values.header.map((v) => v.trim()) } : {}),
              ...(values.buttons.length ? { buttons: values.buttons.map((v) => v.trim()) } : {}),
            },
            clientId: globalThis.crypto?.randomUUID?.() ?? `${Date.now()}`,
          },
        }),
      ),
    onSuccess: (r) => {
      addOwnMessage(qc, r.message);
      void qc.invalidateQueries({ queryKey: keys.conversation(conversation.id) });
      onClose();
      choose(null);
    },
  });

  const filled = [...values.header, ...values.body, ...values.buttons].every((v) => v.trim());
  const preview = tpl ? renderTemplateText(tpl.components, values) : null;
  const inputs = (part: keyof Values, label: (n: number) => string) =>
    values[part].map((v, i) => (
      <TextInput
        // biome-ignore lint/suspicious/noArrayIndexKey: variables are positional ({{1}}, {{2}}…)
        key={`${part}-${i}`}
        size="sm"
        label={label(i + 1)}
        value={v}
        data-testid={`template-var-${part}-${i + 1}`}
        onChange={(e) => {
          const value = e.currentTarget.value;
          setValues((cur) => ({ ...cur, [part]: cur[part].map((x, j) => (j === i ? value : x)) }));
        }}
      />
    ));

  return (
    <Modal opened={opened} onClose={onClose} title={t("templates.title")} size="lg">
      <Stack gap="sm">
        {templates.data && templates.data.length === 0 ? (
          <Alert color="gray" variant="light" data-testid="templates-none">
            {t("templates.none")}
          </Alert>
        ) : (
          <Select
            label={t("templates.choose")}
            placeholder={t("templates.choosePlaceholder")}
            data={(templates.data ?? []).map((x) => ({
              value: x.id,
              label: `${x.name} · ${x.language}`,
              // A media header needs a file, which this picker does not ask for yet (the API takes `headerFile`).
              disabled: !x.sendable || x.headerMedia !== null,
            }))}
            value={templateId}
            onChange={choose}
            searchable
            nothingFoundMessage={t("templates.nothingFound")}
            data-testid="template-select"
          />
        )}
        {tpl ? (
          <>
            {values.header.length ? (
              <Box>
                <Text size="sm" fw={600} mb={4}>
                  {t("templates.header")}
                </Text>
                <SimpleGrid cols={2} spacing="xs">
                  {inputs("header", (n) => t("templates.variable", { n }))}
                </SimpleGrid>
              </Box>
            ) : null}
            {values.body.length ? (
              <Box>
                <Text size="sm" fw={600} mb={4}>
                  {t("templates.body")}
                </Text>
                <SimpleGrid cols={2} spacing="xs">
                  {inputs("body", (n) => t("templates.variable", { n }))}
                </SimpleGrid>
              </Box>
            ) : null}
            {values.buttons.length ? (
              <Box>
                <Text size="sm" fw={600} mb={4}>
                  {t("templates.buttons")}
                </Text>
                <SimpleGrid cols={2} spacing="xs">
                  {inputs("buttons", (n) => t("templates.buttonVariable", { n }))}
                </SimpleGrid>
              </Box>
            ) : null}
            {preview ? (
              <Box>
                <Text size="sm" fw={600} mb={4}>
                  {t("templates.preview")}
                </Text>
                <Box bg="gray.0" p="sm" style={{ borderRadius: "var(--mantine-radius-md)" }}>
                  <Paper
                    shadow="xs"
                    p="sm"
                    radius="md"
                    maw="85%"
                    ml="auto"
                    bg="blue.0"
                    data-testid="template-preview"
                  >
                    {preview.header ? (
                      <Text size="sm" fw={700} mb={4}>
                        {preview.header}
                      </Text>
                    ) : null}
                    <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                      {preview.body}
                    </Text>
                    {preview.footer ? (
                      <Text size="xs" c="dimmed" mt={4}>
                        {preview.footer}
                      </Text>
                    ) : null}
                  </Paper>
                </Box>
              </Box>
            ) : null}
          </>
        ) : null}
        {send.error ? (
          <Alert color="red" variant="light" data-testid="template-error">
            {errorWithReason(t, send.error)}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("channels.form.cancel")}
          </Button>
          <Button
            leftSection={<IconSend size={16} />}
            disabled={!tpl || !filled}
            loading={send.isPending}
            onClick={() => tpl && send.mutate(tpl.id)}
            data-testid="template-send"
          >
            {t("templates.send")}
          </Button>
        </Group>
        {tpl && !filled ? (
          <Text size="xs" c="dimmed" ta="right">
            {t("templates.fillAll")}
          </Text>
        ) : null}
      </Stack>
    </Modal>
  );
}
