import {
  Alert,
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useConnections } from "../../api/channels";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";
import { useTeams } from "../inbox/inbox-tools-api";
import { PageShell } from "../layout/AppHeader";
import { useConfigs, useDeleteConfig, useSaveConfig } from "./linked-records-api";

/** The placeholders the server fills in (modules/linked-records/template.ts), shown under the body field. */
const PLACEHOLDERS = [
  "contact.name",
  "contact.phone",
  "contact.email",
  "contact.id",
  "channel.type",
  "channel.name",
  "conversation.number",
  "message.text",
  "source.utm_source",
  "source.utm_campaign",
  "source.referrer",
]
  .map((p) => `{{${p}}}`)
  .join(" ");

const EXAMPLE =
  '{\n  "name": "{{contact.name}}",\n  "phone": "{{contact.phone}}",\n  "note": "{{message.text}}"\n}';

interface Draft {
  enabled: boolean;
  method: "POST" | "PUT" | "PATCH";
  url: string;
  headers: string;
  bodyTemplate: string;
  idPath: string;
  urlPath: string;
}

/** "Name: value" lines into headers; empty text keeps the saved ones (undefined). */
function parseHeaders(text: string): Record<string, string> | undefined {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) return undefined;
  return Object.fromEntries(
    lines.map((l) => {
      const i = l.indexOf(":");
      return i < 0 ? [l, ""] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    }),
  );
}

/** Settings → Linked records (`automation.manage`): a CRM request template per connection or team. */
export default function LinkedRecordsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = can(session, "automation.manage");
  const connections = useConnections();
  const teams = useTeams(allowed);
  const configs = useConfigs();
  const [scope, setScope] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const save = useSaveConfig();
  const remove = useDeleteConfig();
  const [kind, id] = (scope ?? ":").split(":") as ["connections" | "teams", string];
  const current = configs.data?.configs.find(
    (c) => (kind === "connections" ? c.connectionId : c.teamId) === id,
  );

  useEffect(() => {
    if (!scope) return setDraft(null);
    setDraft({
      enabled: current?.enabled ?? true,
      method: (current?.method as Draft["method"]) ?? "POST",
      url: current?.url ?? "",
      headers: "",
      bodyTemplate: current?.bodyTemplate ?? EXAMPLE,
      idPath: current?.idPath ?? "id",
      urlPath: current?.urlPath ?? "",
    });
  }, [scope, current]);

  const options = [
    ...(connections.data ?? []).map((c) => ({
      value: `connections:${c.id}`,
      label: `${t("linkedRecords.connection")}: ${c.name}`,
    })),
    ...(teams.data ?? []).map((tm) => ({
      value: `teams:${tm.id}`,
      label: `${t("linkedRecords.team")}: ${tm.name}`,
    })),
  ];
  const configured = new Set(
    (configs.data?.configs ?? []).map((c) =>
      c.connectionId ? `connections:${c.connectionId}` : `teams:${c.teamId}`,
    ),
  );

  return (
    <PageShell session={session}>
      <Title order={2}>{t("linkedRecords.nav")}</Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t("linkedRecords.subtitle")}
      </Text>
      {!allowed ? (
        <Alert color="gray" variant="light">
          {t("linkedRecords.forbidden")}
        </Alert>
      ) : (
        <Stack maw={720}>
          <Select
            label={t("linkedRecords.scope")}
            data={options.map((o) => ({ ...o, label: configured.has(o.value) ? `${o.label} ✓` : o.label }))}
            value={scope}
            onChange={setScope}
            searchable
            data-testid="linked-scope"
          />
          {draft ? (
            <Paper withBorder p="md" radius="md">
              <Stack>
                <Switch
                  label={t("linkedRecords.enabled")}
                  checked={draft.enabled}
                  onChange={(e) => setDraft({ ...draft, enabled: e.currentTarget.checked })}
                />
                <Group grow>
                  <Select
                    label={t("linkedRecords.method")}
                    data={["POST", "PUT", "PATCH"]}
                    value={draft.method}
                    onChange={(v) => setDraft({ ...draft, method: (v as Draft["method"]) ?? "POST" })}
                  />
                  <TextInput
                    label={t("linkedRecords.url")}
                    value={draft.url}
                    onChange={(e) => setDraft({ ...draft, url: e.currentTarget.value })}
                    data-testid="linked-url"
                  />
                </Group>
                <Textarea
                  label={t("linkedRecords.headers")}
                  description={
                    current?.headerNames.length
                      ? t("linkedRecords.headersSaved", { names: current.headerNames.join(", ") })
                      : t("linkedRecords.headersHelp")
                  }
                  placeholder="Authorization: Bearer …"
                  value={draft.headers}
                  onChange={(e) => setDraft({ ...draft, headers: e.currentTarget.value })}
                  autosize
                  minRows={2}
                />
                <Textarea
                  label={t("linkedRecords.body")}
                  description={`${t("linkedRecords.bodyHelp")} ${PLACEHOLDERS}`}
                  value={draft.bodyTemplate}
                  onChange={(e) => setDraft({ ...draft, bodyTemplate: e.currentTarget.value })}
                  autosize
                  minRows={5}
                  styles={{ input: { fontFamily: "monospace" } }}
                  data-testid="linked-body"
                />
                <Group grow>
                  <TextInput
                    label={t("linkedRecords.idPath")}
                    value={draft.idPath}
                    onChange={(e) => setDraft({ ...draft, idPath: e.currentTarget.value })}
                  />
                  <TextInput
                    label={t("linkedRecords.urlPath")}
                    value={draft.urlPath}
                    onChange={(e) => setDraft({ ...draft, urlPath: e.currentTarget.value })}
                  />
                </Group>
                <Group justify="flex-end">
                  {current ? (
                    <Button color="red" variant="subtle" onClick={() => remove.mutate({ kind, id })}>
                      {t("linkedRecords.delete")}
                    </Button>
                  ) : null}
                  <Button
                    loading={save.isPending}
                    onClick={() =>
                      save.mutate({
                        scope: { kind, id },
                        body: {
                          enabled: draft.enabled,
                          method: draft.method,
                          url: draft.url.trim(),
                          headers: parseHeaders(draft.headers),
                          bodyTemplate: draft.bodyTemplate,
                          idPath: draft.idPath.trim(),
                          urlPath: draft.urlPath.trim() || null,
                        },
                      })
                    }
                    data-testid="linked-save"
                  >
                    {t("linkedRecords.save")}
                  </Button>
                </Group>
              </Stack>
            </Paper>
          ) : null}
        </Stack>
      )}
    </PageShell>
  );
}
