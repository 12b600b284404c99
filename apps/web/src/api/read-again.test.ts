import type { InfiniteData } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { heldList } from "../testing/held-list";
import { readAgain } from "./read-again";

type Page = { names: string[] };
const key = ["list", "all"];
const names = (d: InfiniteData<Page> | undefined) => d?.pages.flatMap((p) => p.names);

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

  it("asks a list that holds data again at once, and keeps the newer answer", async () => {
    const l = await heldList<Page>(key, { names: ["Unknown"] });
    void readAgain(l.qc, { queryKey: ["list"] });
    await expect.poll(() => l.answers.length).toBe(2);
    l.answers[1]!({ names: ["Olena"] });
    // The reload it replaced answers last, with what it read before.
    l.answers[0]!({ names: ["Unknown"] });
    await l.idle();
    expect(names(l.qc.getQueryData(key))).toEqual(["Olena"]);
    l.unsubscribe();
  });
});
