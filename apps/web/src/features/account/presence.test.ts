import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { applyPresence, presenceKey } from "./presence-cache";

type Map = Record<string, "online" | "away">;

describe("presence from the socket", () => {
  it("is kept when it arrives during the first load, whose answer was read before it", async () => {
    const qc = new QueryClient();
    let release!: (m: Map) => void;
    const observer = new QueryObserver(qc, {
      queryKey: presenceKey,
      queryFn: () => new Promise<Map>((resolve) => (release = resolve)),
    });
    const unsubscribe = observer.subscribe(() => {});
    expect(qc.getQueryState(presenceKey)?.fetchStatus).toBe("fetching");
    // Anna went away and Boris came online after the server read the map.
    applyPresence(qc, "anna", "away");
    applyPresence(qc, "boris", "online");
    release({ anna: "online", chen: "online" });
    await expect.poll(() => qc.getQueryState(presenceKey)?.fetchStatus).toBe("idle");
    expect(qc.getQueryData(presenceKey)).toEqual({ anna: "away", boris: "online", chen: "online" });
    // And later ones as before: offline leaves the map.
    applyPresence(qc, "chen", "offline");
    expect(qc.getQueryData(presenceKey)).toEqual({ anna: "away", boris: "online" });
    unsubscribe();
  });
});
