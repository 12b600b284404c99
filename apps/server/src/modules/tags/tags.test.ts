import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";

const t = useTestServer();

async function contacts(owner: Client, n: number) {
  const conn = await apiConnection(t, owner);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const external = unique("ext");
    expect((await conn.post(inbound(external, "hello"))).status).toBe(200);
    const [row] = await t.db.query<{ contact_id: string }>(
      "select contact_id from contact_identities where connection_id = $1 and external_id = $2",
      [conn.id, external],
    );
    ids.push(row!.contact_id);
  }
  return ids;
}

const tagsOf = async (owner: Client, contactId: string) =>
  ((await owner.get(`/api/contacts/${contactId}`)).body.contact.tags as { name: string; pinned: boolean }[])
    .map((x) => `${x.name}${x.pinned ? " (pinned)" : ""}`)
    .sort();

describe("tag merge", () => {
  it("moves the merged tag's contacts to the kept tag, keeps pins, deletes the merged tag and tells the agents", async () => {
    const { owner } = await newWorkspace(t);
    const agent = await addUser(t, owner, "agent");
    const [a, b, c] = await contacts(owner, 3);
    const keep = (await owner.post("/api/tags", { name: "Billing", color: "#1c7ed6" })).body.tag;
    const merged = (await owner.post("/api/tags", { name: "billing-old", color: "#fa5252" })).body.tag;
    // a: both tags; b: only the merged one, pinned; c: only the kept one.
    await owner.put(`/api/contacts/${a}/tags/${keep.id}`, { pinned: false });
    await owner.put(`/api/contacts/${a}/tags/${merged.id}`, { pinned: false });
    await owner.put(`/api/contacts/${b}/tags/${merged.id}`, { pinned: true });
    await owner.put(`/api/contacts/${c}/tags/${keep.id}`, { pinned: false });

    const socket = await owner.socket(t.wsUrl);
    expect((await agent.client.post(`/api/tags/${merged.id}/merge`, { into: keep.id })).status).toBe(403);
    const done = await owner.post(`/api/tags/${merged.id}/merge`, { into: keep.id });
    expect(done.status).toBe(200);
    expect(done.body.tag).toMatchObject({ id: keep.id, name: "Billing", contactCount: 3 });
    expect(await tagsOf(owner, a!)).toEqual(["Billing"]);
    expect(await tagsOf(owner, b!)).toEqual(["Billing (pinned)"]);
    expect(await tagsOf(owner, c!)).toEqual(["Billing"]);
    const list = (await owner.get("/api/tags")).body.tags.map((x: { name: string }) => x.name);
    expect(list).toEqual(["Billing"]);
    // The moved contact is announced with its new tag (from the tag's job).
    const updated = await socket.waitForEvent(
      "contact.updated",
      (e) => e.contactId === b && e.contact.tags.some((x: { id: string }) => x.id === keep.id),
    );
    expect(updated.contact.tags).toHaveLength(1);
    socket.close();

    // Merging again (the tag is gone), into itself, or into an unknown tag: clear refusals.
    expect((await owner.post(`/api/tags/${merged.id}/merge`, { into: keep.id })).status).toBe(404);
    const self = await owner.post(`/api/tags/${keep.id}/merge`, { into: keep.id });
    expect(self.status).toBe(400);
    expect(self.body.error.message).toContain("another tag");
    expect(
      (await owner.post(`/api/tags/${keep.id}/merge`, { into: "00000000-0000-4000-8000-000000000000" }))
        .status,
    ).toBe(404);
    expect((await owner.post(`/api/tags/${keep.id}/merge`, { into: "nope" })).status).toBe(400);
    // Nothing was lost by the refused merges.
    expect((await owner.get("/api/tags")).body.tags[0]).toMatchObject({ id: keep.id, contactCount: 3 });
  });

  it("does not merge across workspaces", async () => {
    const one = await newWorkspace(t);
    const two = await newWorkspace(t);
    const mine = (await one.owner.post("/api/tags", { name: "Mine" })).body.tag;
    const theirs = (await two.owner.post("/api/tags", { name: "Theirs" })).body.tag;
    expect((await one.owner.post(`/api/tags/${mine.id}/merge`, { into: theirs.id })).status).toBe(404);
    expect((await one.owner.post(`/api/tags/${theirs.id}/merge`, { into: mine.id })).status).toBe(404);
    expect((await two.owner.get("/api/tags")).body.tags).toHaveLength(1);
    expect((await one.owner.get("/api/tags")).body.tags).toHaveLength(1);
  });
});
