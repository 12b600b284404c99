import { describe, expect, it } from "vitest";
import { reconnectDelay } from "./listener";

describe("the LISTEN connection's reconnect delay", () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 5_000 };

  it("doubles from the base, between half and all of the ceiling", () => {
    expect(reconnectDelay(0, { ...opts, random: () => 0 })).toBe(50);
    expect(reconnectDelay(0, { ...opts, random: () => 1 })).toBe(100);
    expect(reconnectDelay(3, { ...opts, random: () => 0 })).toBe(400);
    expect(reconnectDelay(3, { ...opts, random: () => 0.5 })).toBe(600);
  });

  it("is capped however many attempts failed", () => {
    for (const attempt of [6, 7, 50, 10_000]) {
      expect(reconnectDelay(attempt, { ...opts, random: () => 1 })).toBe(5_000);
      expect(reconnectDelay(attempt, { ...opts, random: () => 0 })).toBe(2_500);
    }
  });
});
