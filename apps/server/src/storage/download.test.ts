import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapterContext } from "../channels/context";
import { newWorkspace } from "../testing/harness";
import { FILE_STORES, useFileStore } from "../testing/s3";
import { useTestServer } from "../testing/use-test-server";

/** EGRESS_ALLOW=127.0.0.1/32 (the harness's): the media server below is reachable, nothing else private. */
describe.each(FILE_STORES)("with the %s file store", (store) => {
  const files = useFileStore(store);
  const t = useTestServer(() => ({ env: files.env() }));
  let media: http.Server;
  let base = "";
  const hits: string[] = [];

  beforeAll(async () => {
    media = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      const to = new URL(req.url ?? "/", "http://x").searchParams.get("to");
      if (to) {
        res.writeHead(302, { location: to }).end();
        return;
      }
      res.writeHead(200, { "content-type": "image/png" }).end("png bytes");
    });
    await new Promise<void>((r) => media.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => media.close(() => r())));

  describe("media links from webhooks go through the egress guard", () => {
    it("downloads from a permitted address and refuses private, metadata and redirected-to-private links", async () => {
      const { workspaceId } = await newWorkspace(t);
      const ctx = adapterContext(t.server.ctx, { id: "c", workspaceId, type: "api" });
      const ok = await ctx.download({ url: `${base}/photo.png` });
      expect(ok).toMatchObject({ name: "photo.png", mimeType: "image/png", size: 9 });
      expect(ok.error).toBeUndefined();

      const port = new URL(base).port;
      const cases: [string, RegExp][] = [
        [`http://127.0.0.2:${port}/photo.png`, /127\.0\.0\.2 is not a public address/],
        ["http://169.254.169.254/latest/meta-data/", /cloud metadata address/],
        ["http://[fd00:ec2::254]/latest/meta-data/", /cloud metadata address/],
        ["file:///etc/passwd", /file URLs are not allowed/],
        [
          `${base}/r?to=${encodeURIComponent(`http://[::1]:${port}/photo.png`)}`,
          /::1 is not a public address/,
        ],
        [`${base}/r?to=${encodeURIComponent("http://169.254.169.254/")}`, /cloud metadata address/],
      ];
      for (const [url, why] of cases) {
        const before = hits.length;
        const a = await ctx.download({ url, name: "photo.png" });
        expect(a.error, url).toMatch(/^Could not fetch the file from the provider: egress refused: /);
        expect(a.error, url).toMatch(why);
        expect(a.url).toBe("");
        // Only a permitted redirecting hop was reached.
        expect(
          hits.slice(before).every((h) => h.startsWith("/r?")),
          url,
        ).toBe(true);
      }
    });
  });
});
