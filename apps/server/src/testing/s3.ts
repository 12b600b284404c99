import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll } from "vitest";

/** The stores file bytes can live in: storage tests run against each. */
export const FILE_STORES = ["local", "s3"] as const;
export type FileStoreKind = (typeof FILE_STORES)[number];

/** s3rver's fixed credentials. */
const ACCESS_KEY = "S3RVER";

export interface S3Server {
  url: string;
  bucket: string;
  /** The configuration that points a Parley at this server's bucket. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts a real S3-compatible server (s3rver, from npm) on a loopback port, keeping its objects in a
 * temporary directory, with one empty bucket.
 */
export async function startS3Server(bucket = "parley-files"): Promise<S3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parley-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    bucket,
    env: {
      FILES_STORAGE: "s3",
      S3_BUCKET: bucket,
      S3_ENDPOINT: url,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: ACCESS_KEY,
      S3_FORCE_PATH_STYLE: "true",
    },
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The configuration for a test server keeping files in the given store: for "s3", an S3 server started
 * before the block's tests (register it before `useTestServer`, whose options read `env()`).
 */
export function useFileStore(kind: FileStoreKind): { env(): Record<string, string>; s3(): S3Server } {
  let s3: S3Server | undefined;
  if (kind === "s3") {
    beforeAll(async () => {
      s3 = await startS3Server();
    });
    afterAll(async () => {
      await s3?.close();
    });
  }
  return {
    env: () => (kind === "s3" ? s3!.env : {}),
    s3: () => {
      if (!s3) throw new Error("no S3 server for the local store");
      return s3;
    },
  };
}
