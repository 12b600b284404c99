import { describe, expect, it } from "vitest";
import { apiConnection, newWorkspace } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { ANSWERS_PER_TURN, IngestQueue } from "./ingest-queue";

const t = useTestServer();

describe("a large ingest batch, a turn of the event loop at a time", () => {
  it("answers its webhooks a slice per turn, each with its own outcome", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const queue = new IngestQueue(t.server.ctx, { concurrency: 1, maxBatchEvents: 200, limit: 1000 });
    // A turn counter: it moves on every turn of the event loop while the answers come.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const count = ANSWERS_PER_TURN * 2 + 5;
    // Submitted in one turn: one batch, one transaction.
    const answers = Array.from({ length: count }, (_, i) =>
      queue
        .submit({ id: conn.id, workspaceId, type: "api" }, [
          { kind: "ignored", reason: `reason ${i}`, at: new Date() },
        ])
        .then((outcomes) => ({ outcomes, turn })),
    );
    const got = await Promise.all(answers);
    ticking = false;
    expect(got.map((a) => a.outcomes)).toEqual(
      Array.from({ length: count }, (_, i) => [
        { kind: "ignored", status: "ignored", reason: `reason ${i}` },
      ]),
    );
    // Answered in order, ANSWERS_PER_TURN in each turn: three turns for 2 × ANSWERS_PER_TURN + 5.
    const turns = got.map((a) => a.turn);
    expect(turns).toEqual([...turns].sort((a, b) => a - b));
    const perTurn = [...new Set(turns)].map((n) => turns.filter((x) => x === n).length);
    expect(perTurn).toEqual([ANSWERS_PER_TURN, ANSWERS_PER_TURN, 5]);
  });
});
