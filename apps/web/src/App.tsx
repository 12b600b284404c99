import { Center, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect } from "react";
import { Navigate, Route, Routes } from "react-router";
import { setCsrfToken } from "./api/client";
import { sessionQuery, setupQuery } from "./api/queries";
import { isLanguage } from "./features/account/account-api";
import { SetupPage } from "./features/auth/SetupPage";
import { SignInPage } from "./features/auth/SignInPage";
import { InboxPage } from "./features/inbox/InboxPage";
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
const UsersPage = lazy(() => import("./features/account/UsersPage"));
const AcceptInvitePage = lazy(() => import("./features/account/AcceptInvitePage"));
const ReceiptReportsPage = lazy(() => import("./features/receipts/ReportsPage"));
const ReceiptsSettingsPage = lazy(() => import("./features/receipts/ReceiptsSettingsPage"));
const NotificationSettingsPage = lazy(() =>
  import("./features/notifications/NotificationSettingsPage").then((m) => ({
    default: m.NotificationSettingsPage,
  })),
);
const AuditPage = lazy(() => import("./features/audit/AuditPage"));
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
  return (
    <Routes>
      <Route path="/inbox" element={<InboxPage session={session.data} />} />
      <Route path="/inbox/:conversationId" element={<InboxPage session={session.data} />} />
      <Route
        path="/tasks"
        element={
          <Suspense fallback={pageLoader}>
            <TasksPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/contacts"
        element={
          <Suspense fallback={pageLoader}>
            <ContactsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/channels"
        element={
          <Suspense fallback={pageLoader}>
            <ChannelsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/widget"
        element={
          <Suspense fallback={pageLoader}>
            <WidgetSettingsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/profile"
        element={
          <Suspense fallback={pageLoader}>
            <ProfilePage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/users"
        element={
          <Suspense fallback={pageLoader}>
            <UsersPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/invite/:token"
        element={
          <Suspense fallback={pageLoader}>
            <AcceptInvitePage />
          </Suspense>
        }
      />
      <Route
        path="/log"
        element={
          <Suspense fallback={pageLoader}>
            <LogPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/analytics"
        element={
          <Suspense fallback={pageLoader}>
            <AnalyticsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/reports/receipts"
        element={
          <Suspense fallback={pageLoader}>
            <ReceiptReportsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/receipts"
        element={
          <Suspense fallback={pageLoader}>
            <ReceiptsSettingsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/notifications"
        element={
          <Suspense fallback={pageLoader}>
            <NotificationSettingsPage session={session.data} />
          </Suspense>
        }
      />
      <Route
        path="/settings/audit"
        element={
          <Suspense fallback={pageLoader}>
            <AuditPage session={session.data} />
          </Suspense>
        }
      />
      <Route path="*" element={<Navigate to="/inbox?view=mine" replace />} />
    </Routes>
  );
}
