import type { InboundEvent } from "../../channels/types";

/** A channel event that is not a message: what it is, and what ingest did with it. */
export type ChannelEvent = Extract<
  InboundEvent,
  { kind: "contact" | "unsubscribed" | "identity_moved" | "account_error" }
>;

export type ChannelEventOutcome = {
  kind: ChannelEvent["kind"];
  status: "created" | "updated" | "unchanged" | "unknown_contact";
};

/** An account error recorded in this transaction: the connection's health is written after commit. */
export interface RecordedAccountError {
  connectionId: string;
  text: string;
  at: Date;
}
