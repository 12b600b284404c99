import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyDeliveryReport, type DeliveryReport, type DeliverySnapshot } from "./delivery-state";

const queued: DeliverySnapshot = {
  state: "queued",
  sentAt: null,
  deliveredAt: null,
  readAt: null,
  failedAt: null,
  failureReason: null,
  failureDetail: null,
};
const RANK = { queued: 0, sent: 1, delivered: 2, read: 3 } as const;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

const success = fc.record({
  state: fc.constantFrom("sent" as const, "delivered" as const, "read" as const),
  at: fc.integer({ min: 0, max: 3600 }).map(at),
});
const failure = fc.record({
  state: fc.constant("failed" as const),
  at: fc.integer({ min: 0, max: 3600 }).map(at),
  reason: fc.constantFrom("provider_error" as const, "window_closed" as const, "blocked_by_user" as const),
});

/** Applies reports in order, as the server does: a null answer leaves the snapshot as it was. */
const run = (reports: DeliveryReport[]) => reports.reduce((s, r) => applyDeliveryReport(s, r) ?? s, queued);

/** Every permutation-with-duplicates of a set of reports: shuffled, and some repeated. */
const shuffledWithDuplicates = <T>(items: fc.Arbitrary<T[]>) =>
  items.chain((xs) =>
    fc.tuple(fc.shuffledSubarray(xs, { minLength: 0 }), fc.nat()).map(([dups, seed]) => {
      const all = [...xs, ...dups];
      // A deterministic shuffle from the seed (fast-check shrinks the seed).
      let s = seed + 1;
      for (let i = all.length - 1; i > 0; i--) {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        const j = s % (i + 1);
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all;
    }),
  );

describe("delivery state machine (properties)", () => {
  it("ends in the furthest state reported, whatever the order and duplication of reports", () => {
    fc.assert(
      fc.property(shuffledWithDuplicates(fc.array(success, { minLength: 1, maxLength: 6 })), (reports) => {
        const end = run(reports);
        const furthest = Math.max(...reports.map((r) => RANK[r.state as keyof typeof RANK]));
        expect(RANK[end.state as keyof typeof RANK]).toBe(furthest);
        // Every step up to the furthest has a time, none beyond it.
        expect(end.sentAt !== null).toBe(furthest >= 1);
        expect(end.deliveredAt !== null).toBe(furthest >= 2);
        expect(end.readAt !== null).toBe(furthest >= 3);
      }),
      { numRuns: 500 },
    );
  });

  it("never moves a message backwards, report by report", () => {
    fc.assert(
      fc.property(fc.array(success, { maxLength: 12 }), (reports) => {
        let s = queued;
        for (const r of reports) {
          const next = applyDeliveryReport(s, r) ?? s;
          expect(RANK[next.state as keyof typeof RANK]).toBeGreaterThanOrEqual(
            RANK[s.state as keyof typeof RANK],
          );
          // A step's time, once known, never changes.
          for (const k of ["sentAt", "deliveredAt", "readAt"] as const)
            if (s[k]) expect(next[k]).toEqual(s[k]);
          s = next;
        }
      }),
      { numRuns: 500 },
    );
  });

  it("with failures mixed in: delivered or read wins over failed in any order; otherwise failed wins over sent", () => {
    fc.assert(
      fc.property(
        shuffledWithDuplicates(
          fc
            .tuple(fc.array(success, { maxLength: 4 }), fc.array(failure, { minLength: 1, maxLength: 3 }))
            .map(([a, b]) => [...a, ...b] as DeliveryReport[]),
        ),
        (reports) => {
          const end = run(reports);
          const reached = reports.filter((r) => r.state === "delivered" || r.state === "read");
          if (reached.length) {
            const furthest = Math.max(...reached.map((r) => RANK[r.state as keyof typeof RANK]));
            expect(RANK[end.state as keyof typeof RANK]).toBe(furthest);
            expect(end.failureReason).toBeNull();
          } else {
            expect(end.state).toBe("failed");
            expect(end.failureReason).not.toBeNull();
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a report applied twice changes nothing the second time", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(success, failure), { maxLength: 6 }),
        fc.oneof(success, failure),
        (before, r) => {
          const once = applyDeliveryReport(run(before), r) ?? run(before);
          expect(applyDeliveryReport(once, r)).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });
});
