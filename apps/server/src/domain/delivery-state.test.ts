import { describe, expect, it } from "vitest";
import { applyDeliveryReport, type DeliverySnapshot } from "./delivery-state";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const queued: DeliverySnapshot = {
  state: "queued",
  sentAt: null,
  deliveredAt: null,
  readAt: null,
  failedAt: null,
  failureReason: null,
  failureDetail: null,
};

describe("delivery state machine", () => {
  it("moves forward step by step with a timestamp per step", () => {
    const sent = applyDeliveryReport(queued, { state: "sent", at: t(1) })!;
    const delivered = applyDeliveryReport(sent, { state: "delivered", at: t(2) })!;
    const read = applyDeliveryReport(delivered, { state: "read", at: t(3) })!;
    expect(read).toMatchObject({ state: "read", sentAt: t(1), deliveredAt: t(2), readAt: t(3) });
  });

  it("ignores duplicates and reports that would move backwards", () => {
    const read = applyDeliveryReport(queued, { state: "read", at: t(5) })!;
    expect(applyDeliveryReport(read, { state: "read", at: t(6) })).toBeNull();
    expect(applyDeliveryReport(read, { state: "delivered", at: t(7) })).toBeNull();
    expect(applyDeliveryReport(read, { state: "sent", at: t(8) })).toBeNull();
  });

  it("fills in skipped steps when a later one arrives first", () => {
    const read = applyDeliveryReport(queued, { state: "read", at: t(5) })!;
    expect(read).toMatchObject({ state: "read", sentAt: t(5), deliveredAt: t(5), readAt: t(5) });
  });

  it("records the true time of an earlier step that arrives late without moving back", () => {
    const sent = applyDeliveryReport(queued, { state: "sent", at: t(1) })!;
    const read = applyDeliveryReport(sent, { state: "read", at: t(4) })!;
    // delivered was inferred at t(4); a late delivered report changes nothing.
    expect(applyDeliveryReport(read, { state: "delivered", at: t(3) })).toBeNull();
  });

  it("fails with a normalised reason and the provider's detail", () => {
    const failed = applyDeliveryReport(queued, {
      state: "failed",
      at: t(2),
      reason: "window_closed",
      detail: "131047",
    })!;
    expect(failed).toMatchObject({
      state: "failed",
      failedAt: t(2),
      failureReason: "window_closed",
      failureDetail: "131047",
    });
    expect(applyDeliveryReport(failed, { state: "failed", at: t(3), reason: "provider_error" })).toBeNull();
    expect(applyDeliveryReport(failed, { state: "sent", at: t(3) })).toBeNull();
  });

  it("lets a later delivered report win over failed (several devices) and clears the reason", () => {
    const failed = applyDeliveryReport(queued, { state: "failed", at: t(2), reason: "provider_error" })!;
    const delivered = applyDeliveryReport(failed, { state: "delivered", at: t(3) })!;
    expect(delivered).toMatchObject({
      state: "delivered",
      failureReason: null,
      failureDetail: null,
      deliveredAt: t(3),
    });
  });

  it("ignores a failure reported after the message was delivered", () => {
    const delivered = applyDeliveryReport(queued, { state: "delivered", at: t(2) })!;
    expect(
      applyDeliveryReport(delivered, { state: "failed", at: t(3), reason: "provider_error" }),
    ).toBeNull();
  });
});
