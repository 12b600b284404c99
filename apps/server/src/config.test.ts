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
});
