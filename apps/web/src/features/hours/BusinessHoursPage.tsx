import { Alert, Center, Divider, Loader, Select, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { PageShell } from "../layout/AppHeader";
import { AutoReplies } from "./AutoReplies";
import { useHours, useSaveHours } from "./hours-api";
import { ScheduleEditor } from "./ScheduleEditor";

/** Settings → Business hours (`workspace.manage`): the workspace's and each team's hours, and auto-replies. */
export default function BusinessHoursPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  const allowed = session.permissions.includes("workspace.manage");
  const hours = useHours();
  const save = useSaveHours();
  const [scope, setScope] = useState<string>("workspace");
  const teamId = scope === "workspace" ? null : scope;
  const team = hours.data?.teams.find((x) => x.teamId === teamId);
  const current = teamId ? (team?.hours ?? null) : (hours.data?.workspace ?? null);

  return (
    <PageShell session={session}>
      <Title order={2}>{t("hours.title")}</Title>
      <Text c="dimmed" size="sm" mb="lg">
        {t("hours.subtitle")}
      </Text>
      {!allowed ? (
        <Alert color="gray" variant="light">
          {t("hours.forbidden")}
        </Alert>
      ) : !hours.data ? (
        <Center py="xl">
          <Loader size="sm" />
        </Center>
      ) : (
        <Stack gap="lg">
          <Select
            label={t("hours.scope")}
            maw={360}
            value={scope}
            onChange={(v) => v && setScope(v)}
            data-testid="hours-scope"
            data={[
              { value: "workspace", label: t("hours.workspace") },
              ...hours.data.teams.map((x) => ({ value: x.teamId, label: t("hours.team", { name: x.name }) })),
            ]}
          />
          <Text size="sm" data-testid="hours-status">
            {current ? t("hours.ownHours") : teamId ? t("hours.usesWorkspace") : t("hours.alwaysOpen")}
          </Text>
          <ScheduleEditor
            key={`${scope}:${current?.updatedAt ?? "none"}`}
            initial={current ?? (teamId ? hours.data.workspace : null)}
            busy={save.isPending}
            onSave={(body) => save.mutate({ teamId, body })}
            onClear={current ? () => save.mutate({ teamId, body: null }) : null}
            clearLabel={teamId ? t("hours.useWorkspace") : t("hours.clear")}
          />
          <Divider />
          <AutoReplies />
        </Stack>
      )}
    </PageShell>
  );
}
