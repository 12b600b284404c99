import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { adapterContext } from "../channels/context";
import { newWorkspace } from "../testing/harness";
import { FILE_STORES, useFileStore } from "../testing/s3";
import { useTestServer } from "../testing/use-test-server";
import { signedFileUrl } from "./signed-urls";

describe.each(FILE_STORES)("with the %s file store", (store) => {
  const files = useFileStore(store);
  const t = useTestServer(() => ({ env: files.env() }));

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

    it("serves one byte range of a file, and refuses a range past its end naming the size", async () => {
      const { owner, workspaceId } = await newWorkspace(t);
      const id = await storedFile(workspaceId, "0123456789abcdef");
      const get = (range: string) =>
        fetch(`${t.url}/api/files/${id}`, { headers: { cookie: owner.cookie!, range } });
      const whole = await fetch(`${t.url}/api/files/${id}`, { headers: { cookie: owner.cookie! } });
      expect(whole.headers.get("accept-ranges")).toBe("bytes");
      expect(await whole.text()).toBe("0123456789abcdef");
      for (const [range, body, contentRange] of [
        ["bytes=2-5", "2345", "bytes 2-5/16"],
        ["bytes=10-", "abcdef", "bytes 10-15/16"],
        ["bytes=-3", "def", "bytes 13-15/16"],
        ["bytes=14-99", "ef", "bytes 14-15/16"],
      ]) {
        const r = await get(range!);
        expect(r.status, range).toBe(206);
        expect(r.headers.get("content-range"), range).toBe(contentRange);
        expect(r.headers.get("content-length"), range).toBe(String(body!.length));
        expect(await r.text(), range).toBe(body);
      }
      // Several ranges or another unit: the whole file, as HTTP allows.
      const several = await get("bytes=0-1,4-5");
      expect(several.status).toBe(200);
      expect(await several.text()).toBe("0123456789abcdef");
      const past = await get("bytes=16-20");
      expect(past.status).toBe(416);
      expect(past.headers.get("content-range")).toBe("bytes */16");
      expect(((await past.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "range_not_satisfiable",
        message: expect.stringMatching(/16 bytes/),
      });
    });
  });
});
