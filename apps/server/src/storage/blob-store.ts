import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Where file bytes live: a local directory by default (S3-compatible storage can implement the same). */
export interface BlobStore {
  /** Writes a stream under a new key, refusing more than maxBytes; returns its size and SHA-256. */
  put(key: string, body: Readable, maxBytes: number): Promise<{ size: number; sha256: string }>;
  get(key: string): Readable;
  remove(key: string): Promise<void>;
}

export class TooLargeError extends Error {}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string) {
    if (!/^[a-zA-Z0-9/_-]+$/.test(key) || key.includes("..")) throw new Error(`bad storage key ${key}`);
    return path.join(this.root, key);
  }

  async put(key: string, body: Readable, maxBytes: number) {
    const file = this.pathOf(key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const hash = crypto.createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new TooLargeError(`larger than ${maxBytes} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const tmp = `${file}.part`;
    try {
      await pipeline(body, meter, fs.createWriteStream(tmp));
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    return { size, sha256: hash.digest("hex") };
  }

  get(key: string): Readable {
    return fs.createReadStream(this.pathOf(key));
  }

  async remove(key: string) {
    fs.rmSync(this.pathOf(key), { force: true });
  }
}
