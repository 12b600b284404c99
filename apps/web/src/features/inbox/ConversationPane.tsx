import { Alert, Box, Center, Group, Loader, Stack } from "@mantine/core";
import { useElementSize } from "@mantine/hooks";
import type { Conversation } from "@parley/protocol";
import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { client } from "../../api/client";
import { keys, useConversation, useFeed } from "../../api/queries";
import { refetchSeenBy } from "../../api/receipts";
import { errorText } from "../../lib/errors";
import { focus } from "../../realtime/apply";
import { PostHeader } from "../comments/CommentParts";
import { usePeeking } from "../receipts/peek";
import { Composer } from "./Composer";
import { ConversationHeader } from "./ConversationHeader";
import { ConversationSearch } from "./ConversationSearch";
import { Feed } from "./Feed";
import { TypingIndicator } from "./TypingIndicator";

// The side panel (contact, files, tasks) loads on first use: the inbox's initial bundle stays small.
const SidePanel = lazy(() =>
  import("../conversation-tools/SidePanel").then((m) => ({ default: m.SidePanel })),
);

/** The pane's width from which the side panel sits beside the conversation rather than over its feed. */
const PANEL_BESIDE_MIN = 900;

/**
 * One conversation: header with status and assignment, the feed, and the composer. Opening another
 * conversation keeps the pane, its header and its layout (with their measured widths) and draws them with
 * the new conversation; the parts that hold a conversation's own state (the feed and its scroll, the composer,
 * the search in the conversation, the side panel, the read marking) start afresh with each conversation.
 */
export function ConversationPane({ id, me }: { id: string; me: string }) {
  const { t } = useTranslation();
  const conversation = useConversation(id);
  const feed = useFeed(id);
  // The conversation in view: its new messages are not counted unread (realtime/apply.ts).
  useEffect(() => {
    focus.conversationId = id;
    return () => {
      if (focus.conversationId === id) focus.conversationId = null;
    };
  }, [id]);
  const [panel, setPanel] = useState(() => localStorage.getItem("parley.sidePanel") === "on");
  useEffect(() => localStorage.setItem("parley.sidePanel", panel ? "on" : "off"), [panel]);
  // Where the pane is narrow (a laptop, a phone) the side panel lies over the feed instead of taking the
  // header's width: the contact's name and the actions keep their room.
  const { ref, width } = useElementSize();
  const overlay = width < PANEL_BESIDE_MIN;

  if (conversation.isError)
    return (
      <Center h="100%" p="xl">
        <Alert color="red" variant="light">
          {errorText(t, conversation.error)}
        </Alert>
      </Center>
    );
  if (!conversation.data)
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  const c = conversation.data;
  const side = panel ? (
    <Box
      w={overlay ? "min(300px, 100%)" : 300}
      style={{
        borderLeft: "1px solid var(--mantine-color-gray-3)",
        flexShrink: 0,
        ...(overlay
          ? {
              position: "absolute",
              top: 0,
              right: 0,
              bottom: 0,
              zIndex: 5,
              boxShadow: "var(--mantine-shadow-md)",
            }
          : {}),
      }}
      bg="white"
      data-testid="side-panel-frame"
    >
      <Suspense fallback={<Loader size="sm" m="md" />}>
        <SidePanel key={id} conversation={c} />
      </Suspense>
    </Box>
  ) : null;
  return (
    <Group ref={ref} h="100%" gap={0} wrap="nowrap" align="stretch">
      <Stack h="100%" gap={0} style={{ flex: 1, minWidth: 0 }} data-testid="conversation-pane">
        <ConversationHeader c={c} me={me} panel={panel} onPanel={() => setPanel((p) => !p)} />
        <PostHeader conversation={c} />
        <Box style={{ flex: 1, minHeight: 0 }} bg="gray.0" pos="relative">
          <ConversationSearch key={id} conversationId={id} />
          <Feed key={id} conversationId={id} feed={feed.data} loading={feed.isPending} />
          <TypingIndicator conversationId={id} />
          {overlay ? side : null}
        </Box>
        <Composer key={id} conversation={c} />
      </Stack>
      <MarkRead key={id} id={id} messages={feed.data?.messages} conversation={c} />
      {overlay ? null : side}
    </Group>
  );
}

/**
 * Marks the conversation read when it is opened, and again as customer messages arrive while it is in view.
 * Opening one that the cached detail (kept current by live events) already shows read up to its last customer
 * message sends nothing: the server would change nothing, and the answer's refetches would only redraw.
 * Drawn with a key per conversation: what it has sent and what the detail said at opening start afresh.
 */
function MarkRead({
  id,
  messages,
  conversation,
}: {
  id: string;
  messages: { seq: number; direction: string }[] | undefined;
  conversation: Pick<Conversation, "unreadCount">;
}) {
  const qc = useQueryClient();
  const peeking = usePeeking();
  const sent = useRef(0);
  const lastInbound = messages?.findLast((m) => m.direction === "inbound")?.seq ?? 0;
  // Read at opening, as the cached detail says; taken once per opening (later messages are marked as they come).
  const readAtOpening = useRef(conversation.unreadCount === 0);
  useEffect(() => {
    if (!messages) return;
    const mark = () => {
      // A supervisor peeking reads without marking read (R303).
      if (peeking) return;
      if (document.visibilityState !== "visible" || sent.current >= Math.max(lastInbound, 1)) return;
      const alreadyRead = readAtOpening.current;
      readAtOpening.current = false;
      sent.current = Math.max(lastInbound, 1);
      if (alreadyRead) return;
      void client.POST("/api/conversations/{id}/read", { params: { path: { id } }, body: {} }).then(() => {
        void qc.invalidateQueries({ queryKey: keys.unread });
        void refetchSeenBy(qc, id);
      });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [id, lastInbound, messages, qc, peeking]);
  return null;
}
