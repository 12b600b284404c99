import "@mantine/dates/styles.css";
import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  Loader,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { DatePickerInput, TimeInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { NotificationEvent, NotificationMeans } from "@parley/protocol";
import { IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useConnections } from "../../api/channels";
import { put } from "../../api/client";
import { useTags } from "../../api/log";
import { type Session, useUsers } from "../../api/queries";
import { errorText } from "../../lib/errors";
import { isAdminRole, PageShell } from "../layout/AppHeader";
import {
  type Audience,
  type NotificationSettings,
  notifyKeys,
  type Rule,
  type RulesResponse,
  type SettingsResponse,
  useNotificationRules,
  useNotificationSettings,
} from "./api";
import { currentSubscription, disablePush, enablePush, pushSupported } from "./push";

const EVENTS = NotificationEvent.options;
const MEANS = NotificationMeans.options;
const ROLES = ["owner", "admin", "supervisor", "agent"] as const;

/** /settings/notifications: the agent's notification matrix, quiet times, browser push and read rules. */
export function NotificationSettingsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const settings = useNotificationSettings();
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <div>
          <Title order={2}>{t("notify.settings.title")}</Title>
          <Text c="dimmed">{t("notify.settings.intro")}</Text>
        </div>
        {settings.data ? <SettingsForm data={settings.data} /> : <Loader />}
        {settings.data ? <PushPanel count={settings.data.pushSubscriptions} /> : null}
        {settings.data?.mutedConversationIds.length ? (
          <MutedPanel ids={settings.data.mutedConversationIds} />
        ) : null}
        <RulesPanel admin={isAdminRole(session.user.role)} />
      </Stack>
    </PageShell>
  );
}

function SettingsForm({ data }: { data: SettingsResponse }) {
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
      notifications.show({ color: "red", message: errorText(t, err) });
    } finally {
      setSaving(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <Table data-testid="notify-matrix">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("notify.settings.event")}</Table.Th>
              {MEANS.map((m) => (
                <Table.Th key={m}>{t(`notify.settings.means.${m}`)}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {EVENTS.map((e) => (
              <Table.Tr key={e}>
                <Table.Td>{t(`notify.settings.events.${e}`)}</Table.Td>
                {MEANS.map((m) => (
                  <Table.Td key={m}>
                    <Checkbox
                      aria-label={`${t(`notify.settings.events.${e}`)}: ${t(`notify.settings.means.${m}`)}`}
                      data-testid={`matrix-${e}-${m}`}
                      checked={s.matrix[e][m]}
                      disabled={m === "email" && !data.emailAvailable}
                      onChange={(ev) => toggle(e, m, ev.currentTarget.checked)}
                    />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
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

function PushPanel({ count }: { count: number }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [here, setHere] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    void currentSubscription().then((s) => setHere(Boolean(s)));
  }, []);
  const run = async (fn: () => Promise<unknown>) => {
    setProblem(null);
    try {
      const r = await fn();
      if (r === "denied") setProblem(t("notify.settings.pushDenied"));
      setHere(Boolean(await currentSubscription()));
      await qc.invalidateQueries({ queryKey: notifyKeys.settings });
    } catch (err) {
      setProblem(errorText(t, err));
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Text fw={600}>{t("notify.settings.push")}</Text>
        <Text size="sm" c="dimmed">
          {count > 0 ? t("notify.settings.pushOn", { count }) : t("notify.settings.pushOff")}
        </Text>
        {!pushSupported() ? (
          <Text size="sm">{t("notify.settings.pushUnsupported")}</Text>
        ) : here ? (
          <Button variant="default" w="fit-content" onClick={() => run(disablePush)}>
            {t("notify.settings.pushDisable")}
          </Button>
        ) : (
          <Button variant="default" w="fit-content" onClick={() => run(enablePush)}>
            {t("notify.settings.pushEnable")}
          </Button>
        )}
        {problem ? (
          <Alert color="orange" variant="light">
            {problem}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}

function MutedPanel({ ids }: { ids: string[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const unmute = async (id: string) => {
    await put(`/api/conversations/${id}/mute`, { muted: false });
    await qc.invalidateQueries({ queryKey: notifyKeys.settings });
  };
  return (
    <Paper withBorder p="md">
      <Text fw={600} mb="xs">
        {t("notify.settings.muted", { count: ids.length })}
      </Text>
      <Stack gap={4}>
        {ids.map((id) => (
          <Group key={id} gap="sm">
            <Anchor component={Link} to={`/inbox/${id}`} size="sm" ff="monospace">
              {id.slice(0, 8)}
            </Anchor>
            <Button size="compact-xs" variant="subtle" onClick={() => void unmute(id)}>
              {t("notify.settings.unmute")}
            </Button>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

const emptyRule = (): Rule => ({
  match: "all",
  tagId: null,
  connectionId: null,
  means: ["inApp"],
  timing: "immediate",
  delayMinutes: 0,
  recipients: null,
});

function RuleEditor({
  rule,
  onChange,
  onRemove,
  withRecipients,
}: {
  rule: Rule;
  onChange: (r: Rule) => void;
  onRemove: () => void;
  withRecipients: boolean;
}) {
  const { t } = useTranslation();
  const tags = useTags();
  const connections = useConnections();
  const users = useUsers();
  return (
    <Paper withBorder p="sm">
      <Group align="end" wrap="wrap">
        <Select
          label={t("notify.rules.match")}
          data={(["all", "important", "tag", "channel"] as const).map((v) => ({
            value: v,
            label: t(`notify.rules.matches.${v}`),
          }))}
          value={rule.match}
          onChange={(v) => v && onChange({ ...rule, match: v as Rule["match"] })}
          w={200}
        />
        {rule.match === "tag" ? (
          <Select
            label={t("notify.rules.tag")}
            data={(tags.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={rule.tagId}
            onChange={(v) => onChange({ ...rule, tagId: v })}
            w={180}
          />
        ) : null}
        {rule.match === "channel" ? (
          <Select
            label={t("notify.rules.channel")}
            data={(connections.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            value={rule.connectionId}
            onChange={(v) => onChange({ ...rule, connectionId: v })}
            w={180}
          />
        ) : null}
        <Checkbox.Group
          label={t("notify.rules.how")}
          value={rule.means}
          onChange={(v) => onChange({ ...rule, means: v as Rule["means"] })}
        >
          <Group gap="xs" mt={6}>
            {MEANS.map((m) => (
              <Checkbox key={m} value={m} label={t(`notify.settings.means.${m}`)} />
            ))}
          </Group>
        </Checkbox.Group>
        <Select
          label={t("notify.rules.when")}
          data={(["immediate", "delay", "daily", "weekly"] as const).map((v) => ({
            value: v,
            label: t(`notify.rules.timings.${v}`),
          }))}
          value={rule.timing}
          onChange={(v) =>
            v &&
            onChange({
              ...rule,
              timing: v as Rule["timing"],
              delayMinutes: v === "delay" ? Math.max(rule.delayMinutes, 15) : 0,
            })
          }
          w={180}
        />
        {rule.timing === "delay" ? (
          <NumberInput
            label={t("notify.rules.delayMinutes")}
            min={1}
            max={10080}
            value={rule.delayMinutes}
            onChange={(v) => onChange({ ...rule, delayMinutes: Number(v) || 1 })}
            w={140}
          />
        ) : null}
        {withRecipients ? (
          <AudienceInput
            label={t("notify.rules.recipients")}
            value={rule.recipients}
            onChange={(a) => onChange({ ...rule, recipients: a })}
            users={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
          />
        ) : null}
        <ActionIcon
          variant="subtle"
          color="red"
          aria-label={t("notify.rules.remove")}
          onClick={onRemove}
          mb={4}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Group>
    </Paper>
  );
}

function AudienceInput({
  label,
  value,
  onChange,
  users,
}: {
  label: string;
  value: Audience | null;
  onChange: (a: Audience | null) => void;
  users: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const a = value ?? { roles: [], teamIds: [], userIds: [] };
  const set = (next: Audience) =>
    onChange(next.roles.length || next.teamIds.length || next.userIds.length ? next : null);
  return (
    <Group gap="xs" align="end">
      <MultiSelect
        label={`${label}: ${t("notify.rules.roles")}`}
        placeholder={value ? undefined : t("notify.rules.everyone")}
        data={ROLES.map((r) => ({ value: r, label: t(`account.roles.${r}`) }))}
        value={a.roles}
        onChange={(roles) => set({ ...a, roles })}
        w={220}
      />
      <MultiSelect
        label={t("notify.rules.users")}
        searchable
        data={users}
        value={a.userIds}
        onChange={(userIds) => set({ ...a, userIds })}
        w={220}
      />
    </Group>
  );
}

function RulesPanel({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const rules = useNotificationRules();
  const users = useUsers();
  const [own, setOwn] = useState<Rule[]>([]);
  const [ws, setWs] = useState<Rule[]>([]);
  const [policy, setPolicy] = useState<RulesResponse["policy"]>({ readReceive: null, readManage: null });
  useEffect(() => {
    if (!rules.data) return;
    setOwn(rules.data.own);
    setWs(rules.data.workspace);
    setPolicy(rules.data.policy);
  }, [rules.data]);
  if (!rules.data) return <Loader />;
  const strip = (r: Rule) => ({ ...r, id: undefined });
  const save = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: notifyKeys.rules });
      notifications.show({ color: "green", message: t("notify.rules.savedRules") });
    } catch (err) {
      notifications.show({ color: "red", message: errorText(t, err) });
    }
  };
  const userOptions = (users.data ?? []).map((u) => ({ value: u.id, label: u.name }));
  return (
    <Paper withBorder p="md">
      <Stack>
        <div>
          <Text fw={600}>{t("notify.rules.title")}</Text>
          <Text size="sm" c="dimmed">
            {t("notify.rules.intro")}
          </Text>
        </div>
        <Text fw={500}>{t("notify.rules.own")}</Text>
        {rules.data.canManageOwn ? (
          <>
            {own.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t("notify.rules.none")}
              </Text>
            ) : null}
            {own.map((r, i) => (
              <RuleEditor
                // biome-ignore lint/suspicious/noArrayIndexKey: rules are edited in place, by position
                key={i}
                rule={r}
                withRecipients={false}
                onChange={(next) => setOwn(own.map((x, j) => (j === i ? next : x)))}
                onRemove={() => setOwn(own.filter((_, j) => j !== i))}
              />
            ))}
            <Group>
              <Button variant="default" onClick={() => setOwn([...own, emptyRule()])}>
                {t("notify.rules.add")}
              </Button>
              <Button
                onClick={() =>
                  save(() =>
                    put("/api/notification-rules/mine", {
                      rules: own.map(({ recipients: _r, ...r }) => strip(r as Rule)),
                    }),
                  )
                }
              >
                {t("notify.rules.saveRules")}
              </Button>
            </Group>
          </>
        ) : (
          <Text size="sm">{t("notify.rules.notAllowed")}</Text>
        )}
        {admin ? (
          <>
            <Text fw={500}>{t("notify.rules.workspace")}</Text>
            {ws.map((r, i) => (
              <RuleEditor
                // biome-ignore lint/suspicious/noArrayIndexKey: rules are edited in place, by position
                key={i}
                rule={r}
                withRecipients
                onChange={(next) => setWs(ws.map((x, j) => (j === i ? next : x)))}
                onRemove={() => setWs(ws.filter((_, j) => j !== i))}
              />
            ))}
            <AudienceInput
              label={t("notify.rules.receivePolicy")}
              value={policy.readReceive}
              onChange={(a) => setPolicy({ ...policy, readReceive: a })}
              users={userOptions}
            />
            <AudienceInput
              label={t("notify.rules.managePolicy")}
              value={policy.readManage}
              onChange={(a) => setPolicy({ ...policy, readManage: a })}
              users={userOptions}
            />
            <Group>
              <Button variant="default" onClick={() => setWs([...ws, emptyRule()])}>
                {t("notify.rules.add")}
              </Button>
              <Button
                onClick={() =>
                  save(() => put("/api/notification-rules/workspace", { rules: ws.map(strip), policy }))
                }
              >
                {t("notify.rules.saveRules")}
              </Button>
            </Group>
          </>
        ) : rules.data.workspace.length ? (
          <Text size="sm" c="dimmed">
            {t("notify.rules.workspace")}: {rules.data.workspace.length}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}
