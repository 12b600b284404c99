import type { WidgetMessage } from "@parley/protocol";
import { type Dict, dictFor } from "./i18n";

/** What the visitor may be asked before the chat starts. */
export type Field = "name" | "email" | "phone";
export const FIELDS = ["name", "email", "phone"] as const;

export interface Settings {
  greeting: string;
  color: string;
  position: "left" | "right";
  language: string;
  preChat: Record<Field, "off" | "optional" | "required">;
  readReceipts: boolean;
  maxFileBytes: number;
  textMaxChars: number;
}

/** A visitor's message not yet stored by the server. */
export interface Pending {
  clientId: string;
  text: string | null;
  fileIds: string[];
  names: string[];
  error?: string;
}

const params = new URLSearchParams(location.search);
export const connection = params.get("connection") ?? "";
const KEY = `parley.visitor.${connection}`;
export const wsBase = location.origin.replace(/^http/, "ws");

/** The visitor's session kept in the browser, per connection. */
export const store = {
  get<T>(k: string, fallback: T): T {
    try {
      const v = localStorage.getItem(`${KEY}.${k}`);
      return v ? (JSON.parse(v) as T) : fallback;
    } catch {
      return fallback;
    }
  },
  set(k: string, v: unknown) {
    try {
      localStorage.setItem(`${KEY}.${k}`, JSON.stringify(v));
    } catch {
      // storage refused (private mode): the session lasts as long as the page
    }
  },
};

/** Everything the chat knows, shared by the rendering, the socket and the outbox. */
export const state = {
  t: dictFor("en") as Dict,
  settings: null as Settings | null,
  token: store.get<string | null>("token", null),
  conversationId: null as string | null,
  contact: {} as Partial<Record<Field, string>>,
  messages: new Map<string, WidgetMessage>(),
  lastSeq: 0,
  readUpTo: 0,
  outbox: store.get<Pending[]>("outbox", []),
  open: store.get<boolean>("open", false),
  socket: null as WebSocket | null,
  online: false,
  attempt: 0,
  reconnectTimer: null as ReturnType<typeof setTimeout> | null,
  agentTyping: false,
  agentTypingTimer: null as ReturnType<typeof setTimeout> | null,
  seenSent: 0,
  receivedSent: 0,
  flushing: false,
  /** R307: whether to ask for read-tracking consent, and the visitor's answer so far. */
  consent: null as { asked: boolean; granted: boolean | null } | null,
  context: null as { page: Record<string, unknown>; identity: unknown; origin: string } | null,
};

/** The highest sequence number among the agents' messages. */
export function agentMaxSeq(): number {
  let max = 0;
  for (const m of state.messages.values()) if (m.from === "agent") max = Math.max(max, m.seq);
  return max;
}
