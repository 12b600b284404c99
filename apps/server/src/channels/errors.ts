import type { FailureReason } from "@parley/protocol";

/** A send the provider refused or could not take; `retryable` decides between retry and failed. */
export class ChannelSendError extends Error {
  constructor(
    public readonly reason: FailureReason,
    public readonly detail: string,
    public readonly retryable: boolean,
    public readonly retryAfterMs?: number,
  ) {
    super(detail);
  }
}

/** Not an error: the channel asks to send this message a little later (pacing within the provider's limits). */
export class ChannelPacing extends Error {
  constructor(public readonly retryAfterMs: number) {
    super(`Paced: the next message can go in ${retryAfterMs} ms.`);
  }
}

/** A connection the provider refused to set up (bad token, webhook rejected): shown to the admin. */
export class ChannelSetupError extends Error {}
