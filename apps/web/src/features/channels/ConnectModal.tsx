import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import type { ChannelType } from "@parley/protocol";
import { IconArrowLeft } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys, useChannelTypes } from "../../api/channels";
import { post } from "../../api/client";
import { errorWithReason } from "../../lib/errors";
import { ChannelIcon } from "../inbox/ChannelIcon";
import { ChannelFields } from "./ChannelForm";
import { RevealPanel } from "./RevealPanel";
import {
  emptyRequired,
  type FormValues,
  fieldErrors,
  formFields,
  initialValues,
  toPayload,
} from "./schemaForm";
import { TelegramUserConnect } from "./TelegramUserConnect";

type Created = { connection: Connection; reveal: Record<string, string> };

/** "Connect a channel": pick the type, fill the form generated from its schema, then see what is shown once. */
export function ConnectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const channelTypes = useChannelTypes();
  const connectable = (channelTypes.data ?? []).filter((c) => c.connectable);
  const [type, setType] = useState<ChannelType | null>(null);
  const [name, setName] = useState("");
  const [values, setValues] = useState<FormValues>({});
  const [created, setCreated] = useState<Created | null>(null);
  const fields = formFields(connectable.find((c) => c.type === type));

  const create = useMutation({
    mutationFn: () =>
      post<Created>("/api/connections", { type, name: name.trim(), ...toPayload(fields, values) }),
    onSuccess: (r) => {
      setCreated(r);
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
    },
  });
  // Required fields left empty are named beside each at once (the server refuses them too, with a 400).
  const [missing, setMissing] = useState<Record<string, string>>({});
  const errors = { ...(create.error ? fieldErrors(create.error, fields) : {}), ...missing };

  const pick = (tp: ChannelType) => {
    setType(tp);
    setName(t(`channels.types.${tp}`));
    setValues(initialValues(formFields(connectable.find((c) => c.type === tp))));
    setMissing({});
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
    const empty = emptyRequired(fields, values);
    setMissing(
      Object.fromEntries(
        empty.map((f) => [
          f.key,
          t("agentDay2.form.required", { field: t(f.label as "channels.form.name") }),
        ]),
      ),
    );
    if (!empty.length) create.mutate();
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
      ) : type === "telegram_user" ? (
        <TelegramUserConnect defaultName={name} onBack={() => setType(null)} onDone={close} />
      ) : !type ? (
        <Stack>
          <SimpleGrid cols={2} spacing="sm">
            {connectable.map(({ type: tp }) => (
              <UnstyledButton key={tp} onClick={() => pick(tp)} data-testid={`connect-type-${tp}`}>
                <Paper withBorder p="md" radius="md">
                  <Group wrap="nowrap">
                    <ChannelIcon type={tp} size={28} />
                    <div>
                      <Text fw={600}>{t(`channels.types.${tp}`)}</Text>
                      <Text size="xs" c="dimmed">
                        {t(`channels.typeHints.${tp as Exclude<ChannelType, "widget">}`)}
                      </Text>
                    </div>
                  </Group>
                </Paper>
              </UnstyledButton>
            ))}
          </SimpleGrid>
          {/* R452: a personal Viber number cannot be connected, and the dialog says so. */}
          {connectable.some((c) => c.type === "viber") ? (
            <Text size="sm" c="dimmed" data-testid="viber-user-note">
              {t("telegramUser.viberNote")}
            </Text>
          ) : null}
        </Stack>
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
              onChange={(k, v) => {
                setValues((cur) => ({ ...cur, [k]: v }));
                setMissing(({ [k]: _, ...rest }) => rest);
              }}
            />
            {!connectable.find((c) => c.type === type)?.credentials ? (
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
