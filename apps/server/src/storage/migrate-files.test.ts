import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newWorkspace } from "../testing/harness";
import { type S3Server, startS3Server } from "../testing/s3";
import { useTestServer } from "../testing/use-test-server";
import { LocalBlobStore } from "./blob-store";
import { migrateFiles } from "./migrate-files";
import { S3BlobStore } from "./s3-blob-store";

const t = useTestServer();
let s3: S3Server;
let target: S3BlobStore;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-migrate-"));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  s3 = await startS3Server();
  target = new S3BlobStore({
    bucket: s3.bucket,
    region: "us-east-1",
    endpoint: s3.url,
    credentials: { accessKeyId: s3.env.S3_ACCESS_KEY_ID!, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY! },
    forcePathStyle: true,
  });
});
afterAll(async () => {
  target?.close();
  await s3?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function bytesOf(stream: Readable) {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("moving stored files from disk to S3", () => {
  it("copies every file once, resumes where it stopped, and reports files missing or damaged on disk", async () => {
    const { workspaceId } = await newWorkspace(t);
    const disk = new LocalBlobStore(tempDir());
    const contents = [crypto.randomBytes(9 * 1024 * 1024), Buffer.from("small"), Buffer.from("")];
    const keys: string[] = [];
    for (const body of contents) {
      const id = crypto.randomUUID();
      const key = `${workspaceId}/${id}`;
      const put = await disk.put(key, Readable.from([body]), 100 * 1024 * 1024);
      await t.db.query(
        "insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key) values ($1, $2, 'f', 'application/octet-stream', $3, $4, $5)",
        [id, workspaceId, put.size, put.sha256, key],
      );
      keys.push(key);
    }
    const gone = crypto.randomUUID();
    await t.db.query(
      "insert into files (id, workspace_id, name, mime_type, size, sha256, storage_key) values ($1, $2, 'gone', 'text/plain', 4, 'x', $3)",
      [gone, workspaceId, `${workspaceId}/${gone}`],
    );

    const lines: string[] = [];
    const first = await migrateFiles(t.db, disk, target, (l) => lines.push(l));
    expect(first).toMatchObject({ total: 4, copied: 3, skipped: 0, missing: 1, damaged: 0 });
    expect(lines).toContain(`missing on disk: file ${gone} (${workspaceId}/${gone})`);
    expect(lines.at(-1)).toBe("4/4 files: 3 copied (9.0 MB), 0 already there, 1 missing on disk, 0 damaged");
    for (const [i, key] of keys.entries())
      expect((await bytesOf(target.get(key))).equals(contents[i]!)).toBe(true);

    // Run again: nothing copied twice. A file lost from the bucket (a run stopped before it) is copied.
    await target.remove(keys[1]!);
    const again = await migrateFiles(t.db, disk, target, () => undefined);
    expect(again).toMatchObject({ copied: 1, skipped: 2, missing: 1 });
    expect((await bytesOf(target.get(keys[1]!))).toString()).toBe("small");

    // Bytes on disk that are not what was stored are not passed on as the file.
    await target.remove(keys[1]!);
    fs.writeFileSync(path.join((disk as unknown as { root: string }).root, keys[1]!), "SMALL");
    const damaged = await migrateFiles(t.db, disk, target, (l) => lines.push(l));
    expect(damaged).toMatchObject({ copied: 0, skipped: 2, damaged: 1 });
    expect(await target.stat(keys[1]!)).toBeNull();
  });
});
