import { type ChildProcess, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { openPglite } from "../apps/server/src/db/client";
import { migrate } from "../apps/server/src/db/migrate";
import {
  apiConnection,
  inbound,
  newWorkspace,
  startTestServer,
  unique,
} from "../apps/server/src/testing/harness";
import { freePort, waitFor } from "./lib";

/**
 * A 100 MB file uploaded to and downloaded from Parley with FILES_STORAGE=s3, against the same bytes copied
 * to and from the same S3 server directly (the SDK's multipart Upload and GetObject): the S3 server is
 * s3rver in its own process, Parley runs on the embedded database. `npm run bench:files`.
 */
const SIZE = Number(process.env.BENCH_FILES_MB ?? 100) * 1024 * 1024;
const BUCKET = "parley-bench";
const block = crypto.randomBytes(1024 * 1024);
const body = () =>
  Readable.from(
    (function* () {
      for (let sent = 0; sent < SIZE; sent += block.length)
        yield block.subarray(0, Math.min(block.length, SIZE - sent));
    })(),
  );
const rate = (ms: number) => SIZE / 1024 / 1024 / (ms / 1000);

async function drain(stream: AsyncIterable<Uint8Array>) {
  let n = 0;
  for await (const c of stream) n += c.length;
  if (n !== SIZE) throw new Error(`read ${n} bytes, expected ${SIZE}`);
}

async function timed(what: string, run: () => Promise<unknown>) {
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  console.log(
    `${what.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(ms).toFixed(1).padStart(6)} MB/s`,
  );
  return ms;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parley-bench-files-"));
  const port = await freePort();
  const s3rver: ChildProcess = spawn(
    process.execPath,
    [
      "node_modules/s3rver/bin/s3rver.js",
      ...["-d", path.join(tmp, "s3"), "-a", "127.0.0.1", "-p", String(port), "-s"],
      ...["--configure-bucket", BUCKET],
    ],
    { stdio: "ignore" },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(endpoint).then(
        () => true,
        () => false,
      ),
    "s3rver",
  );
  const db = await openPglite(path.join(tmp, "db"));
  await migrate(db);
  const parley = await startTestServer(db, {
    env: {
      LOG_LEVEL: "warn",
      DATA_DIR: path.join(tmp, "data"),
      FILES_STORAGE: "s3",
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "true",
    },
  });
  try {
    const client = new S3Client({
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    const { owner } = await newWorkspace(parley);
    const conn = await apiConnection(parley, owner);
    const r = await conn.post(inbound(unique("c"), "a big file follows"));
    const conversationId = r.body.results[0].conversationId as string;

    console.log(`${SIZE / 1024 / 1024} MB, s3rver at ${endpoint}`);
    const s3Up = await timed("upload, directly to S3", () =>
      new Upload({
        client,
        params: { Bucket: BUCKET, Key: "direct/file", Body: body() },
        partSize: 8 * 1024 * 1024,
        queueSize: 4,
      }).done(),
    );
    let fileUrl = "";
    const parleyUp = await timed("upload, through Parley", async () => {
      const res = await fetch(`${parley.url}/api/conversations/${conversationId}/files?name=big.bin`, {
        method: "POST",
        headers: {
          cookie: owner.cookie!,
          "x-csrf-token": owner.csrf!,
          "content-type": "application/octet-stream",
        },
        body: Readable.toWeb(body()) as ReadableStream,
        duplex: "half",
      } as RequestInit);
      const json = (await res.json()) as { file: { url: string; size: number } };
      if (res.status !== 201 || json.file.size !== SIZE)
        throw new Error(`upload: ${res.status} ${JSON.stringify(json)}`);
      fileUrl = json.file.url;
    });
    const s3Down = await timed("download, directly from S3", async () => {
      const res = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "direct/file" }));
      await drain(res.Body as Readable);
    });
    const parleyDown = await timed("download, through Parley", async () => {
      const res = await fetch(`${parley.url}${fileUrl}`, { headers: { cookie: owner.cookie! } });
      if (res.status !== 200 || !res.body) throw new Error(`download: ${res.status}`);
      await drain(res.body as unknown as AsyncIterable<Uint8Array>);
    });
    console.log(
      `Parley / direct: upload ${(s3Up / parleyUp).toFixed(2)}×, download ${(s3Down / parleyDown).toFixed(2)}× (target ≥ 0.5×)`,
    );
    client.destroy();
  } finally {
    await parley.close();
    await db.close();
    s3rver.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
