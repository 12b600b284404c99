import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../channels/api/adapter";
import { S3BlobStore } from "../storage/s3-blob-store";
import { openTestDb, TEST_DB } from "../testing/db";
import { eventually } from "../testing/eventually";
import { uploadFile } from "../testing/files";
import { Client, inbound, NO_RECEIVER, PASSWORD, unique } from "../testing/harness";
import { type S3Server, startS3Server } from "../testing/s3";
import {
  ensureServerBuilt,
  killAllChildren,
  runCli,
  SERVER_DEFAULTS,
  spawnServer,
  startCli,
} from "../testing/spawn";

/**
 * `npm run parley -- files migrate --to s3` as an operator runs it: a separate process, on the data directory
 * and database of a server that stored files on its disk. Interrupted (SIGKILL) part-way, then run again, it
 * copies what is left and skips what the first run copied; every file ends in the bucket, byte for byte.
 */

const FILES = 40;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-files-migrate-"));
let s3: S3Server;
let bucket: S3BlobStore;
let testDb: Awaited<ReturnType<typeof openTestDb>> | undefined;
/** The database: the test's PostgreSQL database, or the embedded one in the data directory. */
let dbEnv: Record<string, string> = {};

beforeAll(async () => {
  s3 = await startS3Server();
  bucket = new S3BlobStore({
    bucket: s3.bucket,
    region: "us-east-1",
    endpoint: s3.url,
    credentials: { accessKeyId: s3.env.S3_ACCESS_KEY_ID!, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY! },
    forcePathStyle: true,
  });
  if (TEST_DB === "postgres") {
    testDb = await openTestDb();
    dbEnv = { DATABASE_URL: testDb.url! };
  }
});
afterAll(async () => {
  await killAllChildren();
  bucket?.close();
  await s3?.close();
  await testDb?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The S3 settings without switching the store: the server still keeps files on disk. */
const s3Settings = () => Object.fromEntries(Object.entries(s3.env).filter(([k]) => k !== "FILES_STORAGE"));

describe("files migrate --to s3, as a command", () => {
  it("resumes after being killed part-way: every file in the bucket once, byte for byte", async () => {
    const t0 = performance.now();
    // A server on the disk store; files uploaded into a conversation.
    await ensureServerBuilt();
    const server = await spawnServer(
      { ...dbEnv, DATA_DIR: dataDir },
      { readyTimeoutMs: 300_000, built: true },
    );
    const email = `${unique("owner")}@example.com`;
    const setup = await new Client(server.url).post("/api/setup", {
      workspaceName: unique("ws"),
      name: "Owner",
      email,
      password: PASSWORD,
    });
    expect(setup.status).toBe(201);
    const owner = await new Client(server.url).signIn(email);
    const conn = await owner.post("/api/connections", {
      type: "api",
      name: "api",
      settings: { outboundUrl: NO_RECEIVER },
    });
    const raw = JSON.stringify(inbound(unique("c"), "hello"));
    const hook = await fetch(`${server.url}/api/webhooks/api/${conn.body.connection.id}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-parley-signature": signBody(conn.body.reveal.secret, raw),
      },
      body: raw,
    });
    const conversationId = ((await hook.json()) as { results: { conversationId: string }[] }).results[0]!
      .conversationId;
    const stored: { key: string; bytes: Buffer }[] = [];
    for (let i = 0; i < FILES; i++) {
      const bytes = crypto.randomBytes(256 * 1024 + i);
      const file = await uploadFile(server.url, owner, conversationId, `part-${i}.bin`, bytes);
      stored.push({ key: `${owner.workspaceId}/${file.id}`, bytes });
    }
    expect((await server.kill("SIGTERM")).code).toBe(0);
    console.log(
      `[files migrate] ${FILES} files stored on disk after ${Math.round(performance.now() - t0)} ms`,
    );
    const env = { ...SERVER_DEFAULTS, ...dbEnv, ...s3Settings(), DATA_DIR: dataDir, LOG_LEVEL: "warn" };

    // The first run is killed once some files are in the bucket.
    const first = startCli(["files", "migrate", "--to", "s3"], env);
    const inBucket = async () =>
      (await Promise.all(stored.map(async (f) => (await bucket.stat(f.key)) !== null))).filter(Boolean)
        .length;
    let firstExit: unknown = null;
    void first.exited.then((e) => {
      firstExit = e;
    });
    await eventually(
      async () => {
        if (firstExit)
          throw new Error(
            `the first run ended by itself: ${JSON.stringify(firstExit)}\n${first.stdout}\n${first.stderr}`,
          );
        return (await inBucket()) >= 1;
      },
      { timeout: 150_000, interval: 20, what: "a copied file" },
    );
    first.proc.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const copiedBefore = await inBucket();
    expect(copiedBefore).toBeLessThan(FILES);

    // Run again to its end: the rest is copied, what the first run copied is skipped.
    const second = await runCli(["files", "migrate", "--to", "s3"], env, 300_000);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    // Progress lines come every 2 s; the last line is the summary.
    const summary = [
      ...second.stdout.matchAll(
        /(\d+)\/(\d+) files: (\d+) copied \([^)]*\), (\d+) already there, 0 missing on disk, 0 damaged/g,
      ),
    ].at(-1);
    expect(summary, second.stdout).toBeDefined();
    const [, done, total, copied, skipped] = summary!.map(Number);
    expect([done, total]).toEqual([FILES, FILES]);
    // An object appears in S3 only once its upload completed: what was there is whole and skipped.
    expect(skipped).toBe(copiedBefore);
    expect(copied! + skipped!).toBe(FILES);
    for (const f of stored) {
      const chunks: Buffer[] = [];
      for await (const c of bucket.get(f.key)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(f.bytes), f.key).toBe(true);
    }
    console.log(
      `[files migrate] ${FILES} files; the killed run had copied ${copiedBefore}, the second copied ${copied} and skipped ${skipped}`,
    );
  }, 900_000);
});
