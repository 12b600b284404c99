import { Center, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Navigate, Route, Routes } from "react-router";
import { setCsrfToken } from "./api/client";
import { sessionQuery, setupQuery } from "./api/queries";
import { SetupPage } from "./features/auth/SetupPage";
import { SignInPage } from "./features/auth/SignInPage";
import { ChannelsPage } from "./features/channels/ChannelsPage";
import { ContactsPage } from "./features/contacts/ContactsPage";
import { InboxPage } from "./features/inbox/InboxPage";

/** Routes: first-run setup, sign-in, the inbox (`/inbox/:conversationId?view=…`), contacts and channel settings. */
export function App() {
  const setup = useQuery(setupQuery);
  const session = useQuery({ ...sessionQuery, enabled: setup.data?.needsSetup === false });
  useEffect(() => setCsrfToken(session.data?.csrfToken ?? null), [session.data]);

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
        <Route path="*" element={<Navigate to="/sign-in" replace />} />
      </Routes>
    );
  }
  return (
    <Routes>
      <Route path="/inbox" element={<InboxPage session={session.data} />} />
      <Route path="/inbox/:conversationId" element={<InboxPage session={session.data} />} />
      <Route path="/contacts" element={<ContactsPage session={session.data} />} />
      <Route path="/settings/channels" element={<ChannelsPage session={session.data} />} />
      <Route path="*" element={<Navigate to="/inbox?view=mine" replace />} />
    </Routes>
  );
}
