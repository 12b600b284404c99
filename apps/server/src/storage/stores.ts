import type { Config } from "../config";
import { type BlobStore, LocalBlobStore } from "./blob-store";
import { S3BlobStore } from "./s3-blob-store";

/** The S3 bucket the configuration names (FILES_STORAGE=s3, or the target of `files migrate --to s3`). */
export function s3StoreOf(config: Config): S3BlobStore {
  if (!config.S3_BUCKET) throw new Error("S3_BUCKET is not set: name the bucket files are kept in.");
  return new S3BlobStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    credentials:
      config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
        : undefined,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}

/** Where this process keeps file bytes, as FILES_STORAGE says. */
export function createBlobStore(config: Config): BlobStore {
  return config.FILES_STORAGE === "s3" ? s3StoreOf(config) : new LocalBlobStore(config.filesDir);
}
