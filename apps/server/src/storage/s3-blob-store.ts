import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { type BlobStore, type ByteRange, checkKey, meter, notFound, TooLargeError } from "./blob-store";

export interface S3Settings {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, Garage…); unset: AWS. */
  endpoint?: string | undefined;
  /** Unset: the SDK's usual sources (AWS_* variables, the instance's role…). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Bucket in the path (`endpoint/bucket/key`) rather than in the host name: most self-hosted servers need it. */
  forcePathStyle?: boolean;
}

/** Parts of a multipart upload: the bytes held in memory at once are PART_SIZE × QUEUE_SIZE at most. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;

/**
 * File bytes in an S3-compatible bucket, streamed both ways: an upload goes up in parts as it arrives
 * (`@aws-sdk/lib-storage`), a download is the object's body passed through. An object appears only when its
 * upload completes, so a failed or refused upload leaves nothing behind.
 */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      forcePathStyle: settings.forcePathStyle ?? false,
      // Checksums only where S3 demands them: several S3-compatible servers refuse the SDK's newer default
      // (CRC32 trailers on every upload), and each file's SHA-256 is computed and kept by Parley anyway.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async put(key: string, body: Readable, maxBytes: number) {
    checkKey(key);
    const m = meter(maxBytes);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: m.stream },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    const results = await Promise.allSettled([pipeline(body, m.stream), upload.done()]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length) {
      await upload.abort().catch(() => undefined);
      // The size limit is the reason when it is one of them; the upload then fails only as a consequence.
      throw (failed.find((f) => f.reason instanceof TooLargeError) ?? failed[0]!).reason;
    }
    return m.result();
  }

  get(key: string, range?: ByteRange): Readable {
    checkKey(key);
    const out = new PassThrough();
    const abort = new AbortController();
    out.once("close", () => {
      if (!out.readableEnded) abort.abort();
    });
    this.client
      .send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
        { abortSignal: abort.signal },
      )
      .then((res) => pipeline(res.Body as Readable, out))
      .catch((err) => out.destroy(isMissing(err) ? notFound(key) : err));
    return out;
  }

  async stat(key: string) {
    checkKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async remove(key: string) {
    checkKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async removeAll(keys: string[]) {
    keys.forEach(checkKey);
    // One request per thousand keys, S3's limit for one batch.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const res = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const errors = (res.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      if (errors.length)
        throw new Error(
          `could not remove ${errors.length} stored file(s), e.g. ${errors[0]!.Key}: ${errors[0]!.Code}`,
        );
    }
  }

  close() {
    this.client.destroy();
  }
}

function isMissing(err: unknown) {
  return err instanceof S3ServiceException && (err.name === "NoSuchKey" || err.name === "NotFound");
}
