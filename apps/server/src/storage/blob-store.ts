import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Bytes `start` to `end` of a stored file, both included (as in an HTTP Range header). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live: a local directory (`LocalBlobStore`) or an S3-compatible bucket (`S3BlobStore`),
 * chosen by FILES_STORAGE. Keys are `<workspace id>/<file id>`.
 */
export interface BlobStore {
  /** Writes a stream under a new key, refusing more than maxBytes; returns its size and SHA-256. */
  put(key: string, body: Readable, maxBytes: number): Promise<{ size: number; sha256: string }>;
  /** The stored bytes (or a range of them); a missing key fails the stream with code ENOENT. */
  get(key: string, range?: ByteRange): Readable;
  /** The stored size, or null when nothing is stored under the key. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Removing a key that is already gone does nothing. */
  remove(key: string): Promise<void>;
  removeAll(keys: string[]): Promise<void>;
  close?(): void;
}

export class TooLargeError extends Error {}

export function checkKey(key: string) {
  if (!/^[a-zA-Z0-9/_-]+$/.test(key) || key.includes("..")) throw new Error(`bad storage key ${key}`);
}

/** The error a read of a missing key fails with, whichever the store. */
export const notFound = (key: string) =>
  Object.assign(new Error(`no stored file under ${key}`), { code: "ENOENT" });

/** Counts and hashes bytes on their way to a store, failing once there are more than maxBytes. */
export function meter(maxBytes: number) {
  const hash = crypto.createHash("sha256");
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new TooLargeError(`larger than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest("hex") }) };
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string) {
    checkKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable, maxBytes: number) {
    const file = this.pathOf(key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const m = meter(maxBytes);
    const tmp = `${file}.part`;
    try {
      await pipeline(body, m.stream, fs.createWriteStream(tmp));
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return m.result();
  }

  get(key: string, range?: ByteRange): Readable {
    return fs.createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string) {
    try {
      return { size: (await fs.promises.stat(this.pathOf(key))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  }

  async remove(key: string) {
    fs.rmSync(this.pathOf(key), { force: true });
  }

  async removeAll(keys: string[]) {
    for (const key of keys) await this.remove(key);
  }
}
