import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const clusterModule = fileURLToPath(new URL("./pg-cluster.ts", import.meta.url));

/** Runs `script` (an ES module) in a new Node process with TypeScript support: its exit code and output. */
function runNode(script: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 60_000 },
      (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    );
  });
}

describe("a throw-away PostgreSQL cluster from npm", () => {
  it("leaves the process its exit code: a run whose tests failed does not end with 0", {
    timeout: 90_000,
  }, async () => {
    const r = await runNode(
      `import { startCluster } from ${JSON.stringify(clusterModule)};
       const cluster = await startCluster();
       await cluster.remove();
       process.exitCode = 3;`,
    );
    expect(r.code, r.stderr).toBe(3);
  });
});
