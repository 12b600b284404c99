import type { Conversation, DomainEvent, EphemeralSignal, Message, User } from "@parley/protocol";
import type { QueryClient } from "@tanstack/react-query";
import { patchQueries, readAgain } from "../api/patch";
import { type ConversationPages, keys, patchConversation, putInFeed } from "../api/queries";
import { applyCursorToSeenBy, applyMessageToTrail } from "../api/receipts";
import { applyPresence } from "../features/account/presence-cache";
import { applyContact, forgetContact, summaryOf } from "../features/contacts/live";
import { showReminder } from "../features/conversation-tools/reminders";
import { onNotification } from "../features/notifications/live";
import { mapRows, markReadUpTo, setUnreadCount, setUnreadTotal } from "./rows";
import { putConversation } from "./unread-states";

/** Which conversation the agent is looking at now: its new customer messages are read, not unread. */
export const focus = { conversationId: null as string | null };

/** A message the agent sent: shown in the feed at once (the event for it may arrive before or after). */
export function addOwnMessage(qc: QueryClient, m: Message) {
  putInFeed(qc, m);
}

export function applyEvent(qc: QueryClient, me: string, event: DomainEvent) {
  switch (event.type) {
    case "message.created": {
      const m = event.message;
      putInFeed(qc, m);
      const customer = m.direction === "inbound";
      const looking = focus.conversationId === m.conversationId && document.visibilityState === "visible";
      if (event.conversation) {
        putConversation(qc, me, event.conversation, {
          unreadSeq: customer && !looking ? m.seq : undefined,
          clearDraft: m.authorType === "user" && m.authorId === me && m.kind !== "event",
        });
      }
      if (customer) void readAgain(qc, { queryKey: keys.unread });
      return;
    }
    case "message.updated": {
      const m = event.message;
      putInFeed(qc, m);
      applyMessageToTrail(qc, m);
      const touch = (c: Conversation) =>
        c.lastMessage?.id === m.id
          ? { ...c, lastMessage: { ...c.lastMessage, deliveryState: m.delivery?.state ?? null } }
          : c;
      mapRows(qc, touch);
      patchConversation(qc, m.conversationId, touch);
      return;
    }
    case "conversation.updated": {
      const before = qc.getQueryData<Conversation>(keys.conversation(event.conversationId));
      putConversation(qc, me, event.conversation);
      // The customer interacted without writing (a reaction): the detail's messaging window is worked out again.
      if (before && before.lastCustomerMessageAt !== event.conversation.lastCustomerMessageAt)
        void readAgain(qc, { queryKey: keys.conversation(event.conversationId) });
      return;
    }
    case "conversation.created":
      putConversation(qc, me, event.conversation, { created: true });
      return;
    case "conversation.status_changed":
      putConversation(qc, me, event.conversation);
      return;
    case "conversation.assigned":
      putConversation(qc, me, event.conversation);
      // What the caller may do with it changed: refetch this one conversation (never the list).
      void readAgain(qc, { queryKey: keys.conversation(event.conversationId) });
      return;
    case "conversation.deleted":
      patchQueries<ConversationPages>(qc, { queryKey: keys.lists }, (data) => ({
        ...data,
        pages: data.pages.map((p) => ({
          ...p,
          conversations: p.conversations.filter((c) => c.id !== event.conversationId),
        })),
      }));
      qc.removeQueries({ queryKey: keys.conversation(event.conversationId) });
      qc.removeQueries({ queryKey: keys.feed(event.conversationId) });
      return;
    case "contact.created":
    case "contact.updated": {
      applyContact(qc, event.contact, event.type === "contact.created");
      if (event.type === "contact.created") return;
      // Conversations show the contact's name and whether they are blocked.
      const contact = summaryOf(event.contact);
      const touch = (c: Conversation) => (c.contact.id === contact.id ? { ...c, contact } : c);
      mapRows(qc, touch);
      patchQueries<Conversation>(qc, { queryKey: ["conversation"] }, (c) =>
        c?.contact?.id === contact.id ? touch(c) : c,
      );
      return;
    }
    case "contact.erased":
      forgetContact(qc, event.contactId);
      return;
    case "task.reminder":
      showReminder(qc, event.task);
      return;
    case "notification.created":
      onNotification(qc, event.notification);
      return;
    case "read_cursor.updated": {
      const cur = event.cursor;
      applyCursorToSeenBy(
        qc,
        cur,
        qc.getQueryData<User[]>(keys.users)?.find((u) => u.id === cur.userId)?.name,
      );
      if (cur.userId !== me) return;
      if (!cur.markedUnread) markReadUpTo(qc, cur.conversationId, cur.lastReadSeq);
      return;
    }
  }
}

export function applySignal(qc: QueryClient, signal: EphemeralSignal) {
  if (signal.type === "presence.changed") return applyPresence(qc, signal.userId, signal.presence);
  if (signal.type !== "unread.changed") return;
  setUnreadTotal(qc, signal.unreadConversations);
  setUnreadCount(qc, signal);
}
