import { type InfiniteData, QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { heldList } from "../testing/held-list";
import { patchQueries, readAgain } from "./patch";

type Page = { names: string[] };
type Pages = InfiniteData<Page>;
const key = ["list", "all"];
const names = (d: Pages | undefined) => d?.pages.flatMap((p) => p.names);
/** A change the socket reported: a name added to the list (once). */
const addName = (name: string) => (d: Pages) =>
  d.pages[0]!.names.includes(name) ? d : { ...d, pages: [{ names: [...d.pages[0]!.names, name] }] };

describe("readAgain", () => {
  it("reads a first load under way again once it answers: that answer may predate the change", async () => {
    const l = await heldList<Page>(key);
    void readAgain(l.qc, { queryKey: ["list"] });
    // Read before a contact was named: it shows, and the list is asked again.
    l.answers[0]!({ names: ["Unknown"] });
    await expect.poll(() => l.answers.length).toBe(2);
    expect(names(l.qc.getQueryData(key))).toEqual(["Unknown"]);
    l.answers[1]!({ names: ["Olena"] });
    await l.idle();
    expect(names(l.qc.getQueryData(key))).toEqual(["Olena"]);
    expect(l.answers.length).toBe(2);
    l.unsubscribe();
  });

  it("does not restart a reload under way: its answer shows, then the list is read once more", async () => {
    const l = await heldList<Page>(key, { names: ["Unknown"] });
    void readAgain(l.qc, { queryKey: ["list"] });
    void readAgain(l.qc, { queryKey: ["list"] });
    expect(l.answers.length).toBe(1);
    l.answers[0]!({ names: ["Olena"] });
    await expect.poll(() => l.answers.length).toBe(2);
    expect(names(l.qc.getQueryData(key))).toEqual(["Olena"]);
    l.answers[1]!({ names: ["Olena", "Petro"] });
    await l.idle();
    expect(names(l.qc.getQueryData(key))).toEqual(["Olena", "Petro"]);
    expect(l.answers.length).toBe(2);
    l.unsubscribe();
  });

  for (const first of ["patchQueries", "readAgain"]) {
    it(`keeps a change made during a first load in its answer when ${first} is used first`, async () => {
      const l = await heldList<Page>(key);
      const patch = () => patchQueries<Pages>(l.qc, { queryKey: ["list"] }, addName("Petro"));
      const reread = () => void readAgain(l.qc, { queryKey: ["list"] });
      if (first === "patchQueries") {
        patch();
        reread();
      } else {
        reread();
        patch();
      }
      l.answers[0]!({ names: ["Olena"] });
      // The answer, with the change put in again, shows while the list is read once more.
      await expect.poll(() => l.answers.length).toBe(2);
      expect(names(l.qc.getQueryData(key))).toEqual(["Olena", "Petro"]);
      l.answers[1]!({ names: ["Olena", "Petro"] });
      await l.idle();
      expect(names(l.qc.getQueryData(key))).toEqual(["Olena", "Petro"]);
      l.unsubscribe();
    });
  }

  it("leaves a list no page shows out of date, also after a change is put into it", async () => {
    const qc = new QueryClient();
    qc.setQueryData<Pages>(key, { pages: [{ names: ["Olena"] }], pageParams: [null] });
    await readAgain(qc, { queryKey: ["list"] });
    expect(qc.getQueryState(key)?.isInvalidated).toBe(true);
    patchQueries<Pages>(qc, { queryKey: ["list"] }, addName("Petro"));
    expect(names(qc.getQueryData(key))).toEqual(["Olena", "Petro"]);
    // Read when a page shows it again.
    expect(qc.getQueryState(key)?.isInvalidated).toBe(true);
  });
});
