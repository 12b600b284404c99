import { Alert, Stack, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Session } from "../../api/queries";
import { can } from "../../lib/permissions";
import { PageShell } from "../layout/AppHeader";
import { InvitationsPanel } from "./InvitationsPanel";
import { PeoplePanel } from "./PeoplePanel";
import { TeamsPanel } from "./TeamsPanel";

/** /settings/users (people.manage): people with their roles and status, invitations, and teams. */
export default function UsersPage({ session }: { session: Session }) {
  const { t } = useTranslation();
  if (!can(session, "people.manage")) {
    return (
      <PageShell session={session}>
        <Alert color="orange">{t("account.users.forbidden")}</Alert>
      </PageShell>
    );
  }
  return (
    <PageShell session={session}>
      <Stack gap="lg">
        <Title order={2}>{t("account.users.title")}</Title>
        <PeoplePanel session={session} />
        <InvitationsPanel session={session} />
        <TeamsPanel />
      </Stack>
    </PageShell>
  );
}
