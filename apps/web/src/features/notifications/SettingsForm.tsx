import "@mantine/dates/styles.css";
import { Button, Group, Paper, Select, Stack, Switch, Text } from "@mantine/core";
import { DatePickerInput, TimeInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import type { NotificationEvent, NotificationMeans } from "@parley/protocol";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { put } from "../../api/client";
import { showError } from "../../lib/notify";
import { type NotificationSettings, notifyKeys, type SettingsResponse } from "./api";
import { NotificationMatrix } from "./NotificationMatrix";
import { PhonePanel } from "./PhonePanel";

/** The agent's own settings: the matrix, sound, do-not-disturb, quiet hours, pause and e-mail digests. */
export function SettingsForm({ data }: { data: SettingsResponse }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [s, setS] = useState<NotificationSettings>(data.settings);
  const [saving, setSaving] = useState(false);
  useEffect(() => setS(data.settings), [data.settings]);
  const zones = useMemo(() => {
    const list =
      (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
    return list.includes("UTC") ? list : ["UTC", ...list];
  }, []);
  const toggle = (e: NotificationEvent, m: NotificationMeans, on: boolean) =>
    setS((cur) => ({ ...cur, matrix: { ...cur.matrix, [e]: { ...cur.matrix[e], [m]: on } } }));
  const save = async () => {
    setSaving(true);
    try {
      const r = await put<SettingsResponse>("/api/notifications/settings", s);
      qc.setQueryData(notifyKeys.settings, r);
      notifications.show({ color: "green", message: t("notify.settings.saved") });
    } catch (err) {
      showError(t, err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <NotificationMatrix
          matrix={s.matrix}
          emailAvailable={data.emailAvailable}
          smsAvailable={data.sms.available && data.sms.phone !== null}
          onToggle={toggle}
        />
        <PhonePanel sms={data.sms} />
        {!data.emailAvailable ? (
          <Text size="sm" c="dimmed">
            {t("notify.settings.emailUnavailable")}
          </Text>
        ) : null}
        <Switch
          label={t("notify.settings.sound")}
          checked={s.sound}
          onChange={(e) => setS({ ...s, sound: e.currentTarget.checked })}
        />
        <Switch
          label={t("notify.settings.dnd")}
          description={t("notify.settings.dndHint")}
          data-testid="notify-dnd"
          checked={s.dnd}
          onChange={(e) => setS({ ...s, dnd: e.currentTarget.checked })}
        />
        <Switch
          label={t("notify.settings.quietHours")}
          checked={s.quietHours !== null}
          onChange={(e) =>
            setS({ ...s, quietHours: e.currentTarget.checked ? { from: "22:00", to: "08:00" } : null })
          }
        />
        {s.quietHours ? (
          <Group>
            <TimeInput
              label={t("notify.settings.quietFrom")}
              value={s.quietHours.from}
              onChange={(e) =>
                setS({ ...s, quietHours: { from: e.currentTarget.value, to: s.quietHours?.to ?? "08:00" } })
              }
            />
            <TimeInput
              label={t("notify.settings.quietTo")}
              value={s.quietHours.to}
              onChange={(e) =>
                setS({ ...s, quietHours: { from: s.quietHours?.from ?? "22:00", to: e.currentTarget.value } })
              }
            />
          </Group>
        ) : null}
        <Select
          label={t("notify.settings.timeZone")}
          searchable
          data={zones}
          value={s.timeZone}
          onChange={(v) => v && setS({ ...s, timeZone: v })}
          maw={320}
        />
        <DatePickerInput
          label={t("notify.settings.pause")}
          description={t("notify.settings.pauseHint")}
          clearable
          minDate={new Date()}
          value={s.pausedUntil ? new Date(s.pausedUntil) : null}
          onChange={(v) => {
            if (!v) return setS({ ...s, pausedUntil: null });
            const end = new Date(v);
            end.setHours(23, 59, 0, 0);
            setS({ ...s, pausedUntil: end.toISOString() });
          }}
          maw={320}
        />
        <Group align="end">
          <Select
            label={t("notify.settings.emailMode")}
            data={(["batched", "daily", "weekly"] as const).map((v) => ({
              value: v,
              label: t(`notify.settings.emailModes.${v}`),
            }))}
            value={s.emailMode}
            onChange={(v) => v && setS({ ...s, emailMode: v as NotificationSettings["emailMode"] })}
            disabled={!data.emailAvailable}
            w={360}
          />
          {s.emailMode !== "batched" ? (
            <Select
              label={t("notify.settings.digestHour")}
              data={Array.from({ length: 24 }, (_, h) => ({
                value: String(h),
                label: `${String(h).padStart(2, "0")}:00`,
              }))}
              value={String(s.digestHour)}
              onChange={(v) => v && setS({ ...s, digestHour: Number(v) })}
              w={120}
            />
          ) : null}
        </Group>
        <Group>
          <Button onClick={save} loading={saving} data-testid="notify-save">
            {t("notify.settings.save")}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
