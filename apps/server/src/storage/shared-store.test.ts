import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueJob } from "../jobs/queue";
import { eventually } from "../testing/eventually";
import { uploadFile } from "../testing/files";
import {
  apiConnection,
  inbound,
  newWorkspace,
  startTestServer,
  type TestServer,
  unique,
} from "../testing/harness";
import { FILE_STORES, useFileStore } from "../testing/s3";
import { type TestEnv, useTestServer } from "../testing/use-test-server";
import { REMOVE_BLOBS_JOB } from "./remove-job";

const dataDirs: string[] = [];
const dataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-data-"));
  dataDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function conversation(t: TestEnv) {
  const { owner, workspaceId } = await newWorkspace(t);
  const conn = await apiConnection(t, owner);
  const r = await conn.post(inbound(unique("c"), "hello"));
  return { owner, workspaceId, id: r.body.results[0].conversationId as string };
}

describe("two servers sharing only the database and the S3 bucket", () => {
  const files = useFileStore("s3");
  const first = dataDir();
  const t = useTestServer(() => ({ env: { ...files.env(), DATA_DIR: first } }));
  const secondDir = dataDir();
  let second: TestServer;
  beforeAll(async () => {
    second = await startTestServer(t.db, { env: { ...files.env(), DATA_DIR: secondDir } });
  });
  afterAll(() => second?.close());

  it("serves through one a file uploaded through the other, whole and by range, with nothing on either disk", async () => {
    const { owner, id } = await conversation(t);
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const file = await uploadFile(t.url, owner, id, "report.bin", bytes);
    expect(file.size).toBe(bytes.length);

    const whole = await fetch(`${second.url}${file.url}`, { headers: { cookie: owner.cookie! } });
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(`${second.url}${file.url}`, {
      headers: { cookie: owner.cookie!, range: "bytes=1000000-1000099" },
    });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1_000_000, 1_000_100))).toBe(true);

    for (const dir of [first, secondDir]) expect(fs.existsSync(path.join(dir, "files")), dir).toBe(false);
  });
});

describe.each(FILE_STORES)("the removal job with the %s file store", (store) => {
  const files = useFileStore(store);
  const t = useTestServer(() => ({ env: { ...files.env(), DATA_DIR: dataDir() } }));

  it("removes the stored bytes of deleted files, and a key already gone is no failure", async () => {
    const { owner, workspaceId, id } = await conversation(t);
    const kept = await uploadFile(t.url, owner, id, "kept.txt", "stays");
    const dropped = await uploadFile(t.url, owner, id, "dropped.txt", "goes");
    const keyOf = (f: { id: string }) => `${workspaceId}/${f.id}`;
    const blobs = t.server.ctx.blobs;
    expect(await blobs.stat(keyOf(dropped))).toEqual({ size: 4 });

    await enqueueJob(t.db, REMOVE_BLOBS_JOB, {
      keys: [keyOf(dropped), `${workspaceId}/${crypto.randomUUID()}`],
    });
    await eventually(async () => (await blobs.stat(keyOf(dropped))) === null, { what: "the bytes removed" });
    await eventually(
      async () => {
        const [job] = await t.db.query<{ status: string }>("select status from jobs where type = $1", [
          REMOVE_BLOBS_JOB,
        ]);
        return job?.status === "done";
      },
      { what: "the job done" },
    );
    expect(await blobs.stat(keyOf(kept))).toEqual({ size: 5 });
  });
});
