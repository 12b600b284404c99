import { Alert, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys } from "../../api/channels";
import { patch, put } from "../../api/client";
import type { Answer } from "../../api/types";
import { errorWithReason } from "../../lib/errors";
import { ChannelFields } from "./ChannelForm";
import { type FieldDef, type FormValues, fieldErrors, initialValues, toPayload } from "./schemaForm";

/** Asks before an action that cannot be undone. */
export function Confirm(p: {
  opened: boolean;
  title: string;
  body: string;
  confirm: string;
  color: string;
  loading: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened={p.opened} onClose={p.onClose} title={p.title}>
      <Text size="sm">{p.body}</Text>
      <Group justify="flex-end" mt="lg">
        <Button variant="default" onClick={p.onClose}>
          {t("channels.form.cancel")}
        </Button>
        <Button color={p.color} loading={p.loading} onClick={p.onConfirm} data-testid="confirm">
          {p.confirm}
        </Button>
      </Group>
    </Modal>
  );
}

export function RenameModal({ c, opened, onClose }: { c: Connection; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(c.name);
  const save = useMutation({
    mutationFn: () => patch(`/api/connections/${c.id}`, { name: name.trim() }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t("channels.actions.rename")}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t("channels.form.name")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={save.error ? errorWithReason(t, save.error) : undefined}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
              {t("channels.form.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Settings (PATCH) or new credentials (PUT, checked with the provider) of a connection. */
export function FieldsModal({
  c,
  mode,
  fields,
  opened,
  onClose,
  onReveal,
}: {
  c: Connection;
  mode: "settings" | "credentials";
  fields: FieldDef[];
  opened: boolean;
  onClose: () => void;
  onReveal: (r: Record<string, string>) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const fromSettings = (): FormValues => {
    const v = initialValues(fields);
    for (const f of fields) {
      const s = c.settings[f.key];
      if (s !== undefined && s !== null) v[f.key] = typeof s === "boolean" ? s : String(s);
    }
    return v;
  };
  const [values, setValues] = useState<FormValues>(() =>
    mode === "settings" ? fromSettings() : initialValues(fields),
  );
  const save = useMutation({
    mutationFn: async () => {
      const payload = toPayload(fields, values);
      if (mode === "settings") {
        await patch(`/api/connections/${c.id}`, { settings: { ...c.settings, ...payload.settings } });
        return null;
      }
      return put<Answer<"/api/connections/{id}/credentials", "put">>(
        `/api/connections/${c.id}/credentials`,
        payload.credentials,
      );
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
      notifications.show({ color: "teal", message: t("channels.saved") });
      onClose();
      if (r && Object.keys(r.reveal).length) onReveal(r.reveal);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={mode === "settings" ? t("channels.actions.settings") : t("channels.actions.credentials")}
      size="lg"
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {mode === "credentials" ? (
            <Text size="sm" c="dimmed">
              {t("channels.form.credentialsHint")}
            </Text>
          ) : null}
          <ChannelFields
            fields={fields}
            values={values}
            errors={save.error ? fieldErrors(save.error, fields) : {}}
            onChange={(k, v) => setValues((cur) => ({ ...cur, [k]: v }))}
            keepEmpty={mode === "credentials"}
          />
          {save.error ? (
            <Alert color="red" variant="light">
              {errorWithReason(t, save.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("channels.form.cancel")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {mode === "credentials" ? t("channels.form.checkAndSave") : t("channels.form.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
