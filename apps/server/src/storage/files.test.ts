import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { adapterContext } from "../channels/context";
import { newWorkspace } from "../testing/harness";
import { useTestServer } from "../testing/use-test-server";
import { signedFileUrl } from "./signed-urls";

const t = useTestServer();

async function storedFile(workspaceId: string, body: string) {
  const id = crypto.randomUUID();
  const stored = await t.server.ctx.blobs.put(
    `${workspaceId}/${id}`,
    Readable.from([Buffer.from(body)]),
    10_000,
  );
  await t.server.ctx.db.query(
    "insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key) values ($1, $2, 'фото.txt', 'text/plain', $3, $4, $5)",
    [id, workspaceId, stored.size, stored.sha256, `${workspaceId}/${id}`],
  );
  return id;
}

describe("stored files", () => {
  it("serves a file to its workspace's agents with its name and type, and not without a session", async () => {
    const { owner, workspaceId } = await newWorkspace(t);
    const id = await storedFile(workspaceId, "hello file");
    const r = await fetch(`${t.url}/api/files/${id}`, { headers: { cookie: owner.cookie! } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe("hello file");
    expect(r.headers.get("content-type")).toMatch(/text\/plain/);
    expect(r.headers.get("content-disposition")).toContain(encodeURIComponent("фото.txt"));
    expect((await fetch(`${t.url}/api/files/${id}`)).status).toBe(401);
  });

  it("gives providers a signed link that works without a session until it expires", async () => {
    const { workspaceId } = await newWorkspace(t);
    const id = await storedFile(workspaceId, "media for the provider");
    const ctx = adapterContext(t.server.ctx, { id: "c", workspaceId, type: "api" });
    const link = ctx.fileUrl(`/api/files/${id}`);
    expect(link.startsWith(`${t.url}/api/files/${id}?expires=`)).toBe(true);
    expect(await (await fetch(link)).text()).toBe("media for the provider");
    expect(ctx.fileUrl("https://cdn.example.com/x.png")).toBe("https://cdn.example.com/x.png");

    const tampered = link.replace(/signature=./, (m) =>
      m.endsWith("A") ? `${m.slice(0, -1)}B` : `${m.slice(0, -1)}A`,
    );
    expect((await fetch(tampered)).status).toBe(403);
    const other = await storedFile(workspaceId, "another");
    expect((await fetch(link.replace(id, other))).status).toBe(403);
    const expired = signedFileUrl(
      t.server.ctx.secrets,
      t.url,
      `/api/files/${id}`,
      new Date(Date.now() - 7200_000),
    );
    const res = await fetch(expired);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });
});
