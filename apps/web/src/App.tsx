import { Center, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { type ComponentType, lazy, Suspense, useEffect } from "react";
import { Navigate, Route, Routes } from "react-router";
import { setCsrfToken } from "./api/client";
import { type Session, sessionQuery, setupQuery } from "./api/queries";
import { isLanguage } from "./features/account/account-api";
import { SetupPage } from "./features/auth/SetupPage";
import { SignInPage } from "./features/auth/SignInPage";
import { InboxPage } from "./features/inbox/InboxPage";
import { StepUpDialog } from "./features/security/StepUpDialog";
import i18n, { setLanguage } from "./i18n";

// Pages with heavy libraries (charts, date pickers) load on demand: the inbox's initial bundle stays small.
const LogPage = lazy(() => import("./features/log/LogPage").then((m) => ({ default: m.LogPage })));
const AnalyticsPage = lazy(() =>
  import("./features/analytics/AnalyticsPage").then((m) => ({ default: m.AnalyticsPage })),
);
const ContactsPage = lazy(() =>
  import("./features/contacts/ContactsPage").then((m) => ({ default: m.ContactsPage })),
);
const WidgetSettingsPage = lazy(() =>
  import("./features/widget/WidgetSettingsPage").then((m) => ({ default: m.WidgetSettingsPage })),
);
const TasksPage = lazy(() => import("./features/tasks/TasksPage").then((m) => ({ default: m.TasksPage })));
const ChannelsPage = lazy(() =>
  import("./features/channels/ChannelsPage").then((m) => ({ default: m.ChannelsPage })),
);
const ProfilePage = lazy(() => import("./features/account/ProfilePage"));
const SecurityPage = lazy(() => import("./features/security/SecurityPage"));
const WebhooksPage = lazy(() => import("./features/webhooks/WebhooksPage"));
const ApiTokensPage = lazy(() => import("./features/api-tokens/ApiTokensPage"));
const UsersPage = lazy(() => import("./features/account/UsersPage"));
const RolesPage = lazy(() => import("./features/roles/RolesPage"));
const AcceptInvitePage = lazy(() => import("./features/account/AcceptInvitePage"));
const ForgotPasswordPage = lazy(() => import("./features/auth/ForgotPasswordPage"));
const ResetPasswordPage = lazy(() => import("./features/auth/ResetPasswordPage"));
const ConfirmEmailPage = lazy(() => import("./features/account/ConfirmEmailPage"));
/** Pages a link from an email opens, signed in or not. */
const linkRoutes = [
  ["/reset-password/:token", <ResetPasswordPage key="reset" />],
  ["/confirm-email/:token", <ConfirmEmailPage key="confirm" />],
] as const;
const lazyRoute = ([path, page]: readonly [string, React.ReactNode]) => (
  <Route key={path} path={path} element={<Suspense fallback={pageLoader}>{page}</Suspense>} />
);
const ReceiptReportsPage = lazy(() => import("./features/receipts/ReportsPage"));
const ReceiptsSettingsPage = lazy(() => import("./features/receipts/ReceiptsSettingsPage"));
const AlertsPage = lazy(() => import("./features/alerts/AlertsPage"));
const DistributionPage = lazy(() => import("./features/distribution/DistributionPage"));
const NotificationSettingsPage = lazy(() =>
  import("./features/notifications/NotificationSettingsPage").then((m) => ({
    default: m.NotificationSettingsPage,
  })),
);
const AuditPage = lazy(() => import("./features/audit/AuditPage"));
/** The signed-in pages besides the inbox, loaded on demand; each is given the session. */
const PAGES: [string, ComponentType<{ session: Session }>][] = [
  ["/tasks", TasksPage],
  ["/contacts", ContactsPage],
  ["/log", LogPage],
  ["/analytics", AnalyticsPage],
  ["/reports/receipts", ReceiptReportsPage],
  ["/invite/:token", AcceptInvitePage],
  ["/settings/channels", ChannelsPage],
  ["/settings/widget", WidgetSettingsPage],
  ["/settings/api", ApiTokensPage],
  ["/settings/webhooks", WebhooksPage],
  ["/settings/profile", ProfilePage],
  ["/settings/users", UsersPage],
  ["/settings/roles", RolesPage],
  ["/settings/receipts", ReceiptsSettingsPage],
  ["/settings/notifications", NotificationSettingsPage],
  ["/settings/security", SecurityPage],
  ["/settings/audit", AuditPage],
  ["/settings/alerts", AlertsPage],
  ["/settings/distribution", DistributionPage],
];

const pageLoader = (
  <Center h="100vh">
    <Loader />
  </Center>
);

/** Routes: first-run setup, sign-in, the inbox (`/inbox/:conversationId?view=…`), contacts and channel settings. */
export function App() {
  const setup = useQuery(setupQuery);
  const session = useQuery({ ...sessionQuery, enabled: setup.data?.needsSetup === false });
  useEffect(() => setCsrfToken(session.data?.csrfToken ?? null), [session.data]);
  // The language kept on the user follows them to every device they sign in on.
  const locale = session.data?.user.locale;
  useEffect(() => {
    if (locale && isLanguage(locale) && locale !== i18n.language) setLanguage(locale);
  }, [locale]);

  if (setup.isPending || (setup.data?.needsSetup === false && session.isPending)) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (setup.data?.needsSetup) {
    return (
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="*" element={<Navigate to="/setup" replace />} />
      </Routes>
    );
  }
  if (!session.data) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        {lazyRoute(["/forgot-password", <ForgotPasswordPage key="forgot" />])}
        {linkRoutes.map(lazyRoute)}
        <Route
          path="/invite/:token"
          element={
            <Suspense fallback={pageLoader}>
              <AcceptInvitePage />
            </Suspense>
          }
        />
        <Route path="*" element={<Navigate to="/sign-in" replace />} />
      </Routes>
    );
  }
  const me = session.data;
  return (
    <>
      <StepUpDialog />
      <Routes>
        <Route path="/inbox" element={<InboxPage session={session.data} />} />
        <Route path="/inbox/:conversationId" element={<InboxPage session={session.data} />} />
        {PAGES.map(([path, Page]) => (
          <Route
            key={path}
            path={path}
            element={
              <Suspense fallback={pageLoader}>
                <Page session={me} />
              </Suspense>
            }
          />
        ))}
        {linkRoutes.map(lazyRoute)}
        <Route path="*" element={<Navigate to="/inbox?view=mine" replace />} />
      </Routes>
    </>
  );
}
