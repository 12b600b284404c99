import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("configuration", () => {
  it("takes a relative DATA_DIR from the directory the command was run in (npm's INIT_CWD), not the server's", () => {
    const started = path.resolve("/srv/parley");
    const c = loadConfig({ INIT_CWD: started });
    expect(c.dataDir).toBe(path.join(started, "data"));
    expect(c.filesDir).toBe(path.join(started, "data", "files"));
    const custom = loadConfig({ INIT_CWD: started, DATA_DIR: "state", FILES_DIR: "../blobs" });
    expect(custom.dataDir).toBe(path.join(started, "state"));
    expect(custom.filesDir).toBe(path.resolve(started, "../blobs"));
  });

  it("keeps absolute paths, and resolves against the working directory without npm", () => {
    expect(loadConfig({ INIT_CWD: "/elsewhere", DATA_DIR: "/var/lib/parley" }).dataDir).toBe(
      path.resolve("/var/lib/parley"),
    );
    expect(loadConfig({}).dataDir).toBe(path.resolve(process.cwd(), "data"));
  });

  it("stops on a bad value, naming the variable", () => {
    expect(() => loadConfig({ PORT: "seventy" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "seventy" })).toThrow(/PORT/);
  });

  it("keeps files on disk by default and in S3 only with a bucket, refusing half-given or bad S3 settings", () => {
    expect(loadConfig({}).FILES_STORAGE).toBe("local");
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ FILES_STORAGE: "s4" })[0]).toMatch(/^FILES_STORAGE: /);
    expect(problems({ FILES_STORAGE: "s3" })).toEqual(["S3_BUCKET: is required with FILES_STORAGE=s3"]);
    expect(problems({ FILES_STORAGE: "s3", S3_BUCKET: "Bad_Bucket" })[0]).toMatch(
      /^S3_BUCKET: must be a bucket name/,
    );
    expect(problems({ S3_ENDPOINT: "minio:9000" })[0]).toMatch(/^S3_ENDPOINT: /);
    expect(problems({ S3_FORCE_PATH_STYLE: "sure" })[0]).toMatch(/^S3_FORCE_PATH_STYLE: /);
    const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
    const half = problems({ FILES_STORAGE: "s3", S3_BUCKET: "parley", S3_SECRET_ACCESS_KEY: secret });
    expect(half).toEqual(["S3_SECRET_ACCESS_KEY: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together"]);
    expect(half.join("")).not.toContain(secret);
    const ok = loadConfig({
      FILES_STORAGE: "s3",
      S3_BUCKET: "parley-files",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_FORCE_PATH_STYLE: "true",
    });
    expect(ok).toMatchObject({
      S3_BUCKET: "parley-files",
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: true,
    });
  });
});
