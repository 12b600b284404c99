import { Alert, Button, Grid, NavLink, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { channelKeys, useConnections } from "../../api/channels";
import { post } from "../../api/client";
import type { Session } from "../../api/queries";
import type { Answer } from "../../api/types";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { RevealModal } from "./RevealModal";
import { WidgetSettingsForm } from "./WidgetSettingsForm";

/** `/settings/widget`: the website chat widgets of the workspace (admins). */
export function WidgetSettingsPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const connections = useConnections();
  const widgets = (connections.data ?? []).filter((c) => c.type === "widget");
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [reveal, setReveal] = useState<Record<string, string> | null>(null);
  const current = widgets.find((w) => w.id === selected) ?? widgets[0] ?? null;
  const create = useMutation({
    mutationFn: () =>
      post<Answer<"/api/connections", "post">>("/api/connections", {
        type: "widget",
        name: name.trim(),
        settings: {},
      }),
    onSuccess: (r) => {
      setName("");
      setSelected(r.connection.id);
      setReveal(r.reveal);
      void qc.invalidateQueries({ queryKey: channelKeys.connections });
    },
  });
  if (!can(session, "channels.manage")) {
    return (
      <PageShell session={session}>
        <Alert color="gray">{t("widgetAdmin.adminsOnly")}</Alert>
      </PageShell>
    );
  }
  return (
    <PageShell session={session}>
      <Title order={2}>{t("widgetAdmin.title")}</Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t("widgetAdmin.subtitle")}
      </Text>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Stack gap="xs">
            {widgets.map((w) => (
              <NavLink
                key={w.id}
                label={w.name}
                active={current?.id === w.id}
                onClick={() => setSelected(w.id)}
                data-testid="widget-connection"
              />
            ))}
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (name.trim()) create.mutate();
              }}
            >
              <Stack gap="xs" mt="sm">
                <TextInput
                  label={t("widgetAdmin.newName")}
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  data-testid="widget-new-name"
                />
                <Button
                  type="submit"
                  variant="light"
                  loading={create.isPending}
                  disabled={!name.trim()}
                  data-testid="widget-create"
                >
                  {t("widgetAdmin.create")}
                </Button>
              </Stack>
            </form>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          {current ? (
            <WidgetSettingsForm key={current.id} connection={current} />
          ) : connections.isSuccess ? (
            <Text c="dimmed" data-testid="widget-empty">
              {t("widgetAdmin.empty")}
            </Text>
          ) : null}
        </Grid.Col>
      </Grid>
      <RevealModal reveal={reveal} onClose={() => setReveal(null)} />
    </PageShell>
  );
}
