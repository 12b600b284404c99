import type { Config } from "../config";
import type { Queryable } from "../db/client";
import { LocalBlobStore } from "./blob-store";
import { migrateFiles } from "./migrate-files";
import { s3StoreOf } from "./stores";

/** `npm run parley -- files migrate --to s3`: the exit code (1 when some file could not be copied). */
export async function migrateFilesToS3(db: Queryable, config: Config): Promise<number> {
  const target = s3StoreOf(config);
  const where = `${config.S3_ENDPOINT ?? "AWS"} bucket ${config.S3_BUCKET}`;
  console.log(`Copying files from ${config.filesDir} to ${where}.`);
  try {
    const c = await migrateFiles(db, new LocalBlobStore(config.filesDir), target, (line) =>
      console.log(line),
    );
    if (c.missing || c.damaged) {
      console.log("Some files could not be copied (listed above); the others are in the bucket.");
      return 1;
    }
    console.log(
      config.FILES_STORAGE === "s3"
        ? "Every file is in the bucket."
        : "Every file is in the bucket. Set FILES_STORAGE=s3 and restart, then run this again to copy files stored meanwhile.",
    );
    return 0;
  } finally {
    target.close();
  }
}
