import {
  Alert,
  Button,
  ColorInput,
  Grid,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
} from "@mantine/core";
import { type WidgetLanguage, WidgetSettings } from "@parley/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { type Connection, channelKeys } from "../../api/channels";
import { ApiError, patch } from "../../api/client";
import { Copyable } from "../../components/Copyable";
import { PRECHAT } from "./prechat";
import { WidgetPreview } from "./WidgetPreview";

type Settings = WidgetSettings;

const embedCode = (id: string) =>
  `<script src="${window.location.origin}/widget/loader.js" data-parley-widget="${id}" async></script>`;

/** One widget's settings, with a live preview and the code to embed it. */
export function WidgetSettingsForm({ connection }: { connection: Connection }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const initial = useMemo(() => WidgetSettings.parse(connection.settings), [connection.settings]);
  const [s, setS] = useState<Settings>(initial);
  useEffect(() => setS(initial), [initial]);
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setS((cur) => ({ ...cur, [k]: v }));
  const save = useMutation({
    mutationFn: () => patch(`/api/connections/${connection.id}`, { settings: s }),
    onSuccess: () => qc.invalidateQueries({ queryKey: channelKeys.connections }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const mode = (v: string | null) => (v ?? "off") as Settings["preChat"]["name"];
  return (
    <Grid gap="xl">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <TagsInput
              label={t("widgetAdmin.fields.allowedOrigins")}
              description={t("widgetAdmin.hints.allowedOrigins")}
              placeholder="https://shop.example"
              value={s.allowedOrigins}
              onChange={(v) => set("allowedOrigins", v)}
              data-testid="widget-origins"
            />
            <Textarea
              label={t("widgetAdmin.fields.greeting")}
              value={s.greeting}
              maxLength={500}
              autosize
              minRows={2}
              onChange={(e) => set("greeting", e.currentTarget.value)}
              data-testid="widget-greeting-input"
            />
            <Group grow>
              <ColorInput
                label={t("widgetAdmin.fields.color")}
                value={s.color}
                format="hex"
                onChange={(v) => set("color", v)}
                data-testid="widget-color"
              />
              <Select
                label={t("widgetAdmin.fields.language")}
                value={s.language}
                allowDeselect={false}
                data={(["en", "ru", "uk"] as WidgetLanguage[]).map((l) => ({
                  value: l,
                  label: t(`widgetAdmin.languages.${l}`),
                }))}
                onChange={(v) => set("language", (v ?? "en") as WidgetLanguage)}
                data-testid="widget-language"
              />
            </Group>
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t("widgetAdmin.fields.position")}
              </Text>
              <SegmentedControl
                value={s.position}
                onChange={(v) => set("position", v as Settings["position"])}
                data={[
                  { value: "left", label: t("widgetAdmin.position.left") },
                  { value: "right", label: t("widgetAdmin.position.right") },
                ]}
                data-testid="widget-position"
              />
            </div>
            <Text size="sm" fw={500}>
              {t("widgetAdmin.fields.preChat")}
            </Text>
            <Group grow>
              {PRECHAT.map((f) => (
                <Select
                  key={f}
                  label={t(`widgetAdmin.preChatFields.${f}`)}
                  value={s.preChat[f]}
                  allowDeselect={false}
                  data={(["off", "optional", "required"] as const).map((m) => ({
                    value: m,
                    label: t(`widgetAdmin.preChatModes.${m}`),
                  }))}
                  onChange={(v) => set("preChat", { ...s.preChat, [f]: mode(v) })}
                  data-testid={`widget-prechat-${f}`}
                />
              ))}
            </Group>
            <Group grow>
              <NumberInput
                label={t("widgetAdmin.fields.autoCloseMinutes")}
                description={t("widgetAdmin.hints.autoCloseMinutes")}
                min={5}
                max={10080}
                value={s.autoCloseMinutes}
                onChange={(v) => set("autoCloseMinutes", Number(v) || 60)}
                data-testid="widget-autoclose"
              />
              <NumberInput
                label={t("widgetAdmin.fields.maxFileMb")}
                min={0}
                max={25}
                value={Math.round(s.maxFileBytes / 1048576)}
                onChange={(v) => set("maxFileBytes", Math.round(Number(v) || 0) * 1048576)}
                data-testid="widget-maxfile"
              />
            </Group>
            <Switch
              label={t("widgetAdmin.fields.readReceipts")}
              description={t("widgetAdmin.hints.readReceipts")}
              checked={s.readReceipts}
              onChange={(e) => set("readReceipts", e.currentTarget.checked)}
            />
            <Switch
              label={t("widgetAdmin.fields.identityVerification")}
              description={t("widgetAdmin.hints.identityVerification")}
              checked={s.identityVerification}
              onChange={(e) => set("identityVerification", e.currentTarget.checked)}
              data-testid="widget-identity"
            />
            {save.error ? (
              <Alert color="red" variant="light" data-testid="widget-save-error">
                {save.error instanceof ApiError ? save.error.message : t("widgetAdmin.saveFailed")}
              </Alert>
            ) : null}
            <Group>
              <Button type="submit" loading={save.isPending} data-testid="widget-save">
                {t("widgetAdmin.save")}
              </Button>
              {save.isSuccess ? (
                <Text size="sm" c="teal" data-testid="widget-saved">
                  {t("widgetAdmin.saved")}
                </Text>
              ) : null}
            </Group>
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="sm">
          <Text size="sm" fw={600}>
            {t("widgetAdmin.preview.heading")}
          </Text>
          <WidgetPreview settings={s} />
          <Text size="sm" fw={600}>
            {t("widgetAdmin.embed.heading")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("widgetAdmin.embed.hint")}
          </Text>
          <Copyable
            value={embedCode(connection.id)}
            testId="widget-embed-code"
            copyLabel={t("widgetAdmin.copy")}
            copiedLabel={t("widgetAdmin.copied")}
          />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
