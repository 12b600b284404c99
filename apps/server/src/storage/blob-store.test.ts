import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server } from "../testing/s3";
import { type BlobStore, LocalBlobStore, TooLargeError } from "./blob-store";
import { S3BlobStore } from "./s3-blob-store";

let s3: Awaited<ReturnType<typeof startS3Server>>;
let dir = "";
const stores: Record<string, BlobStore> = {};

beforeAll(async () => {
  s3 = await startS3Server();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-blobs-"));
  stores.local = new LocalBlobStore(dir);
  stores.s3 = new S3BlobStore({
    bucket: s3.bucket,
    region: "us-east-1",
    endpoint: s3.url,
    credentials: { accessKeyId: s3.env.S3_ACCESS_KEY_ID!, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY! },
    forcePathStyle: true,
  });
});
afterAll(async () => {
  stores.s3?.close?.();
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stream of `size` pseudo-random bytes in 64 KiB chunks, never held whole. */
function bytes(size: number, seed: number) {
  const chunk = crypto.createHash("sha512").update(String(seed)).digest();
  const block = Buffer.alloc(65_536);
  for (let i = 0; i < block.length; i += chunk.length) chunk.copy(block, i);
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < size; sent += block.length)
        yield block.subarray(0, Math.min(block.length, size - sent));
    })(),
  );
}

async function sha256Of(stream: Readable) {
  const hash = crypto.createHash("sha256");
  let size = 0;
  for await (const c of stream) {
    hash.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { size, sha256: hash.digest("hex") };
}

const key = () => `ws/${crypto.randomUUID()}`;

describe.each(["local", "s3"])("the %s blob store", (kind) => {
  const store = () => stores[kind]!;

  it("keeps a stream and gives it back whole or by byte range", async () => {
    const k = key();
    const put = await store().put(k, Readable.from([Buffer.from("hello, stored world")]), 1000);
    expect(put).toEqual({
      size: 19,
      sha256: crypto.createHash("sha256").update("hello, stored world").digest("hex"),
    });
    expect(await text(store().get(k))).toBe("hello, stored world");
    expect(await text(store().get(k, { start: 7, end: 12 }))).toBe("stored");
    expect(await store().stat(k)).toEqual({ size: 19 });
  });

  it("streams a file larger than one upload part both ways", async () => {
    const k = key();
    const size = 20 * 1024 * 1024 + 123;
    const put = await store().put(k, bytes(size, 1), size);
    expect(put.size).toBe(size);
    expect(await sha256Of(store().get(k))).toEqual(put);
    expect(await store().stat(k)).toEqual({ size });
  });

  it("keeps an empty file", async () => {
    const k = key();
    expect((await store().put(k, Readable.from([]), 10)).size).toBe(0);
    expect(await store().stat(k)).toEqual({ size: 0 });
    expect(await text(store().get(k))).toBe("");
  });

  it("refuses more than the limit and keeps nothing of it", async () => {
    const k = key();
    await expect(store().put(k, bytes(9 * 1024 * 1024, 2), 9 * 1024 * 1024 - 1)).rejects.toBeInstanceOf(
      TooLargeError,
    );
    expect(await store().stat(k)).toBeNull();
  });

  it("fails a read of a missing key with ENOENT, and removes keys whether or not they exist", async () => {
    const gone = key();
    await expect(text(store().get(gone))).rejects.toMatchObject({ code: "ENOENT" });
    const a = key();
    const b = key();
    await store().put(a, Readable.from([Buffer.from("a")]), 10);
    await store().put(b, Readable.from([Buffer.from("b")]), 10);
    await store().remove(a);
    await store().remove(a);
    expect(await store().stat(a)).toBeNull();
    expect(await store().stat(b)).toEqual({ size: 1 });
    await store().removeAll([b, gone]);
    expect(await store().stat(b)).toBeNull();
  });

  it("refuses keys that could leave the store's place", async () => {
    expect(() => store().get("../etc/passwd")).toThrow(/bad storage key/);
    await expect(store().put("a/../../b", Readable.from([]), 1)).rejects.toThrow(/bad storage key/);
  });
});
