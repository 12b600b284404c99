import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { patchQueries } from "./patch";

type Row = { status: string; unread: number };

/** A query whose answers the test hands out one by one, each read before the changes the test makes. */
async function loading(initial?: Row) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const queryKey = ["row", "r1"];
  const answers: Array<{ resolve: (r: Row) => void; reject: (e: Error) => void }> = [];
  if (initial) qc.setQueryData(queryKey, initial);
  const observer = new QueryObserver<Row>(qc, {
    queryKey,
    queryFn: () => new Promise<Row>((resolve, reject) => answers.push({ resolve, reject })),
    staleTime: 0,
  });
  const unsubscribe = observer.subscribe(() => {});
  await expect.poll(() => answers.length).toBe(1);
  const data = () => qc.getQueryData<Row>(queryKey);
  const idle = () => expect.poll(() => qc.getQueryState(queryKey)?.fetchStatus).toBe("idle");
  const set = (status: string) => patchQueries<Row>(qc, { queryKey, exact: true }, (r) => ({ ...r, status }));
  /** Asks again; the next answer is taken as it is (nothing kept is applied to it). */
  const loadsAgainAs = async (answer: Row) => {
    const asked = answers.length;
    void qc.refetchQueries({ queryKey });
    await expect.poll(() => answers.length).toBe(asked + 1);
    answers[asked]!.resolve(answer);
    await idle();
    expect(data()).toEqual(answer);
  };
  return { qc, queryKey, answers, data, idle, set, loadsAgainAs, unsubscribe };
}

describe("patchQueries on a loading query", () => {
  it("applies the changes made during a load to its answer, in the order they were made", async () => {
    const q = await loading({ status: "open", unread: 0 });
    q.set("closed");
    q.set("in_progress");
    q.answers[0]!.resolve({ status: "open", unread: 3 });
    await q.idle();
    // The answer's own fields stay; the two changes are applied over it, the later one last.
    expect(q.data()).toEqual({ status: "in_progress", unread: 3 });
    expect(q.answers.length).toBe(1);
    q.unsubscribe();
  });

  it("carries the changes over when the load is cancelled and started again, the newer one last", async () => {
    const q = await loading({ status: "open", unread: 0 });
    patchQueries<Row>(q.qc, { queryKey: q.queryKey, exact: true }, () => ({ status: "closed", unread: 4 }));
    // A reconnect asks for everything again: the load under way is cancelled and a new one starts.
    void q.qc.invalidateQueries({ queryKey: q.queryKey });
    await expect.poll(() => q.answers.length).toBe(2);
    q.set("open");
    q.answers[1]!.resolve({ status: "closed", unread: 0 });
    await q.idle();
    expect(q.data()).toEqual({ status: "open", unread: 4 });
    q.unsubscribe();
  });

  it("a failed load keeps nothing for later: the next answer is taken as it is", async () => {
    const q = await loading({ status: "open", unread: 0 });
    q.set("closed");
    q.answers[0]!.reject(new Error("offline"));
    await q.idle();
    expect(q.data()?.status).toBe("closed");
    await q.loadsAgainAs({ status: "in_progress", unread: 0 });
    q.unsubscribe();
  });

  it("a load cancelled and reverted keeps nothing for the next answer", async () => {
    const q = await loading({ status: "open", unread: 0 });
    q.set("closed");
    await q.qc.cancelQueries({ queryKey: q.queryKey });
    expect(q.qc.getQueryState(q.queryKey)?.fetchStatus).toBe("idle");
    await q.loadsAgainAs({ status: "in_progress", unread: 0 });
    q.unsubscribe();
  });
});
