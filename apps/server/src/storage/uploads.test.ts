import http from "node:http";
import { describe, expect, it } from "vitest";
import { addUser, apiConnection, type Client, inbound, newWorkspace, unique } from "../testing/harness";
import { FILE_STORES, useFileStore } from "../testing/s3";
import { useTestServer } from "../testing/use-test-server";
import { safeUploadName } from "./uploads";

describe.each(FILE_STORES)("with the %s file store", (store) => {
  const files = useFileStore(store);
  const t = useTestServer(() => ({ env: files.env() }));

  // A 1×1 PNG: the server must recognise it by its bytes.
  const PNG = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64",
  );

  async function setup() {
    const { owner } = await newWorkspace(t);
    const conn = await apiConnection(t, owner);
    const r = await conn.post(inbound(unique("c"), "hello"));
    return { owner, conn, id: r.body.results[0].conversationId as string };
  }

  async function upload(client: Client, conversationId: string, name: string, body: Buffer, type: string) {
    const res = await fetch(
      `${t.url}/api/conversations/${conversationId}/files?name=${encodeURIComponent(name)}`,
      {
        method: "POST",
        headers: { cookie: client.cookie!, "x-csrf-token": client.csrf!, "content-type": type },
        body,
      },
    );
    return { status: res.status, body: (await res.json()) as any };
  }

  describe("uploads", () => {
    it("stores a file, recognises an image by its bytes and lets the message carry it", async () => {
      const { owner, id } = await setup();
      // Declared as a PDF, but the bytes are a PNG: it is an image.
      const img = await upload(owner, id, "фото.png", PNG, "application/pdf");
      expect(img.status, JSON.stringify(img.body)).toBe(201);
      expect(img.body.file).toMatchObject({
        name: "фото.png",
        mimeType: "image/png",
        size: PNG.length,
        image: true,
      });

      // Declared as an image, but the bytes are text: a file, never previewed.
      const fake = await upload(owner, id, "not-really.png", Buffer.from("just some text"), "image/png");
      expect(fake.status).toBe(201);
      expect(fake.body.file).toMatchObject({ mimeType: "application/octet-stream", image: false });

      const inline = await fetch(`${t.url}${img.body.file.url}?inline=1`, {
        headers: { cookie: owner.cookie! },
      });
      expect(inline.headers.get("content-disposition")).toBe(
        `inline; filename="____.png"; filename*=UTF-8''${encodeURIComponent("фото.png")}`,
      );
      expect(inline.headers.get("content-type")).toBe("image/png");
      expect(Buffer.from(await inline.arrayBuffer()).equals(PNG)).toBe(true);
      // Not an image: downloaded even when a preview is asked for.
      const other = await fetch(`${t.url}${fake.body.file.url}?inline=1`, {
        headers: { cookie: owner.cookie! },
      });
      expect(other.headers.get("content-disposition")).toMatch(/^attachment;/);
      expect(other.headers.get("x-content-type-options")).toBe("nosniff");

      // The message takes the stored name, type and size, whatever the client says.
      const sent = await owner.post(`/api/conversations/${id}/messages`, {
        attachments: [{ ...img.body.file, mimeType: "text/html", size: 1, name: "evil.html" }],
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      expect(sent.body.message.attachments).toEqual([
        { name: "фото.png", mimeType: "image/png", size: PNG.length, url: img.body.file.url },
      ]);

      const panel = await owner.get(`/api/conversations/${id}/attachments`);
      expect(panel.status).toBe(200);
      expect(panel.body.attachments).toHaveLength(1);
      expect(panel.body.attachments[0]).toMatchObject({
        url: img.body.file.url,
        image: true,
        direction: "outbound",
      });
    });

    it("refuses programs by type and files over the channel's limit, with the reason", async () => {
      const { owner, id } = await setup();
      const exe = await upload(owner, id, "setup.exe", Buffer.from("MZ"), "application/octet-stream");
      expect(exe.status).toBe(415);
      expect(exe.body.error.code).toBe("unsupported_media_type");
      expect(exe.body.error.message).toMatch(/setup\.exe: files of this type cannot be sent/);
      expect(exe.body.error.details.problem).toEqual({ code: "blocked_type", name: "setup.exe" });
      const svg = await upload(owner, id, "logo.SVG", Buffer.from("<svg/>"), "image/svg+xml");
      expect(svg.status).toBe(415);

      // The API channel accepts 100 MB per file: declared larger is refused before a byte is stored.
      const big = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${t.url}/api/conversations/${id}/files?name=big.zip`, {
          method: "POST",
          headers: {
            cookie: owner.cookie!,
            "x-csrf-token": owner.csrf!,
            "content-type": "application/zip",
            "content-length": String(101 * 1024 * 1024),
          },
        });
        req.on("response", (res) => {
          resolve(res.statusCode!);
          req.destroy();
        });
        req.on("error", reject);
        req.write(Buffer.alloc(1024));
      });
      expect(big).toBe(413);
      const files = await t.server.ctx.db.query("select 1 from files where name = 'big.zip'");
      expect(files).toHaveLength(0);
    });

    it("refuses a file over the channel's image limit at upload, and too many files at send", async () => {
      const { owner, id } = await setup();
      // WhatsApp takes images up to 5 MB (files up to 100 MB): the conversation's connection becomes WhatsApp's.
      await t.server.ctx.db.query(
        "update channel_connections set type = 'whatsapp' where id = (select connection_id from conversations where id = $1)",
        [id],
      );
      const bigImage = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
      const r = await upload(owner, id, "big.png", bigImage, "image/png");
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe("payload_too_large");
      expect(r.body.error.details.problem).toMatchObject({ code: "too_large", maxBytes: 5 * 1024 * 1024 });
      await t.server.ctx.db.query(
        "update channel_connections set type = 'api' where id = (select connection_id from conversations where id = $1)",
        [id],
      );

      const a = (await upload(owner, id, "a.pdf", Buffer.from("%PDF-1.4 a"), "application/pdf")).body.file;
      const b = (await upload(owner, id, "b.pdf", Buffer.from("%PDF-1.4 b"), "application/pdf")).body.file;
      const two = await owner.post(`/api/conversations/${id}/messages`, { attachments: [a, b] });
      expect(two.status).toBe(400);
      expect(two.body.error.details.problem).toEqual({ code: "one_file_only" });
      const imgs = [];
      for (let i = 0; i < 11; i++)
        imgs.push((await upload(owner, id, `p${i}.png`, PNG, "image/png")).body.file);
      const eleven = await owner.post(`/api/conversations/${id}/messages`, {
        attachments: imgs.slice(0, 11),
      });
      expect(eleven.status).toBe(400);
      const ten = await owner.post(`/api/conversations/${id}/messages`, { attachments: imgs.slice(0, 10) });
      expect(ten.status, JSON.stringify(ten.body)).toBe(201);
      expect(ten.body.message.attachments).toHaveLength(10);
    });

    it("never lets a message carry another workspace's file, and refuses writers who may not write", async () => {
      const { owner, id } = await setup();
      const mine = (await upload(owner, id, "a.png", PNG, "image/png")).body.file;
      const other = await setup();
      const r = await other.owner.post(`/api/conversations/${other.id}/messages`, { attachments: [mine] });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/not found in this workspace/);
      expect((await upload(other.owner, id, "x.png", PNG, "image/png")).status).toBe(404);
      const agent = await addUser(t, owner, "agent");
      await owner.post(`/api/conversations/${id}/assign`, { assigneeId: owner.user!.id });
      expect((await upload(agent.client, id, "x.png", PNG, "image/png")).status).toBe(404);
    });

    it("refuses a link to a Parley file that does not exist, with the file's id, and stores nothing", async () => {
      const { owner, id } = await setup();
      const missing = "4b0c7c52-5d0e-4d5a-9a3c-1f0e2b3c4d5e";
      const r = await owner.post(`/api/conversations/${id}/messages`, {
        text: "your label",
        attachments: [{ name: "label.png", mimeType: "image/png", size: 10, url: `/api/files/${missing}` }],
      });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "validation_failed", details: { fileId: missing } });
      expect(r.body.error.message).toMatch(/"label\.png" was not found in this workspace: upload it again/);
      const feed = await owner.get(`/api/conversations/${id}/messages`);
      expect(feed.body.messages.map((m: { text: string | null }) => m.text)).not.toContain("your label");
      // Files by their own https link still pass as given (the provider fetches them).
      const linked = await owner.post(`/api/conversations/${id}/messages`, {
        attachments: [
          { name: "a.pdf", mimeType: "application/pdf", size: 5, url: "https://cdn.example.com/a.pdf" },
        ],
      });
      expect(linked.status).toBe(201);
    });

    it("names the download safely: an ASCII fallback and the exact name encoded for the header", async () => {
      const { owner, id } = await setup();
      const f = (await upload(owner, id, "it's (1) счёт.pdf", Buffer.from("%PDF-1.4 x"), "application/pdf"))
        .body.file;
      const r = await fetch(`${t.url}${f.url}`, { headers: { cookie: owner.cookie! } });
      expect(r.headers.get("content-disposition")).toBe(
        `attachment; filename="it's (1) ____.pdf"; filename*=UTF-8''it%27s%20%281%29%20${encodeURIComponent("счёт")}.pdf`,
      );
      expect(r.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    });

    it("takes any declared type as the file's bytes: text and JSON files download back byte-identical", async () => {
      const { owner, id } = await setup();
      const text = Buffer.from("line one\r\nline two — ünïcödé\n\u0000tail", "utf8");
      const json = Buffer.from('{"not": "parsed"', "utf8");
      for (const [name, body, type] of [
        ["notes.txt", text, "text/plain"],
        ["notes.txt", text, "text/plain; charset=utf-8"],
        ["data.json", json, "application/json"],
      ] as const) {
        const r = await upload(owner, id, name, body, type);
        expect(r.status, `${type}: ${JSON.stringify(r.body)}`).toBe(201);
        expect(r.body.file).toMatchObject({ name, size: body.length, image: false });
        const back = await fetch(`${t.url}${r.body.file.url}`, { headers: { cookie: owner.cookie! } });
        expect(back.status).toBe(200);
        expect(Buffer.from(await back.arrayBuffer()).equals(body)).toBe(true);
      }
    });

    it("cleans names: no paths, quotes or control characters", () => {
      expect(safeUploadName('../../etc/pa"ss\nwd.txt')).toBe("_.._etc_pa_ss_wd.txt");
      expect(safeUploadName("...")).toBe("file");
    });
  });
});
