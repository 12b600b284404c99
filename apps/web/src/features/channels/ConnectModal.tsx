import {
  ActionIcon,
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { IconAlertTriangle, IconArrowLeft, IconCheck, IconCopy } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys } from "../../api/channels";
import { post } from "../../api/client";
import { errorWithReason } from "../../lib/errors";
import { ChannelIcon } from "../inbox/ChannelIcon";
import { ChannelFields } from "./ChannelForm";
import {
  CHANNEL_FORMS,
  CONNECTABLE,
  type ConnectableType,
  type FormValues,
  fieldErrors,
  initialValues,
  toPayload,
} from "./channelForms";

const REVEAL_LABELS = ["webhookUrl", "secret", "verifyToken"] as const;

/** Values the server shows once (webhook URL, generated secret, verify token), each with a copy button. */
export function RevealPanel({ reveal }: { reveal: Record<string, string> }) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm" data-testid="reveal">
      <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
        {t("channels.reveal.warning")}
      </Alert>
      {Object.entries(reveal).map(([k, v]) => (
        <div key={k}>
          <Text size="sm" fw={600} mb={4}>
            {(REVEAL_LABELS as readonly string[]).includes(k)
              ? t(`channels.reveal.${k as (typeof REVEAL_LABELS)[number]}`)
              : k}
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Code
              block
              style={{ flex: 1, wordBreak: "break-all", whiteSpace: "pre-wrap" }}
              data-testid={`reveal-${k}`}
            >
              {v}
            </Code>
            <CopyButton value={v}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? t("channels.reveal.copied") : t("channels.reveal.copy")}>
                  <ActionIcon
                    variant="light"
                    color={copied ? "teal" : "gray"}
                    onClick={copy}
                    aria-label={t("channels.reveal.copy")}
                  >
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
        </div>
      ))}
    </Stack>
  );
}

/** "Connect a channel": pick the type, fill the form generated for it, then see what is shown once. */
export function ConnectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [type, setType] = useState<ConnectableType | null>(null);
  const [name, setName] = useState("");
  const [values, setValues] = useState<FormValues>({});
  const [created, setCreated] = useState<{ connection: Connection; reveal: Record<string, string> } | null>(
    null,
  );
  const fields = type ? CHANNEL_FORMS[type] : [];

  const create = useMutation({
    mutationFn: () =>
      post<{ connection: Connection; reveal: Record<string, string> }>("/api/connections", {
        type,
        name: name.trim(),
        ...toPayload(fields, values),
      }),
    onSuccess: (r) => {
      setCreated(r);
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
    },
  });
  const errors = create.error ? fieldErrors(create.error, fields) : {};

  const pick = (tp: ConnectableType) => {
    setType(tp);
    setName(t(`channels.types.${tp}`));
    setValues(initialValues(CHANNEL_FORMS[tp]));
    create.reset();
  };
  const close = () => {
    onClose();
    setType(null);
    setCreated(null);
    create.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  const title = created
    ? t("channels.reveal.title", { name: created.connection.name })
    : type
      ? t("channels.form.title", { type: t(`channels.types.${type}`) })
      : t("channels.connect");

  return (
    <Modal opened={opened} onClose={close} title={title} size="lg" closeOnClickOutside={!created}>
      {created ? (
        <Stack>
          <RevealPanel reveal={created.reveal} />
          <Group justify="flex-end">
            <Button onClick={close} data-testid="reveal-done">
              {t("channels.reveal.done")}
            </Button>
          </Group>
        </Stack>
      ) : !type ? (
        <SimpleGrid cols={2} spacing="sm">
          {CONNECTABLE.map((tp) => (
            <UnstyledButton key={tp} onClick={() => pick(tp)} data-testid={`connect-type-${tp}`}>
              <Paper withBorder p="md" radius="md">
                <Group wrap="nowrap">
                  <ChannelIcon type={tp} size={28} />
                  <div>
                    <Text fw={600}>{t(`channels.types.${tp}`)}</Text>
                    <Text size="xs" c="dimmed">
                      {t(`channels.typeHints.${tp}`)}
                    </Text>
                  </div>
                </Group>
              </Paper>
            </UnstyledButton>
          ))}
        </SimpleGrid>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <TextInput
              label={t("channels.form.name")}
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid="field-name"
            />
            <ChannelFields
              fields={fields}
              values={values}
              errors={errors}
              onChange={(k, v) => setValues((cur) => ({ ...cur, [k]: v }))}
            />
            {type === "api" ? (
              <Text size="sm" c="dimmed">
                {t("channels.form.apiSecretHint")}
              </Text>
            ) : null}
            {create.error ? (
              <Alert color="red" variant="light" data-testid="connect-error">
                {errorWithReason(t, create.error)}
              </Alert>
            ) : null}
            <Group justify="space-between" mt="sm">
              <Button
                variant="subtle"
                leftSection={<IconArrowLeft size={16} />}
                onClick={() => setType(null)}
              >
                {t("channels.form.back")}
              </Button>
              <Button
                type="submit"
                loading={create.isPending}
                disabled={!name.trim()}
                data-testid="connect-submit"
              >
                {t("channels.form.submit")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
