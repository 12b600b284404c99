import pino from "pino";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { logContext } from "../lib/log-context";
import { eventually } from "../testing/eventually";
import { useTestServer } from "../testing/use-test-server";

/** The server's log lines, as written (JSON), at debug level so requests are logged too. */
const lines: Record<string, unknown>[] = [];
const logger = pino(
  { level: "debug", mixin: logContext },
  { write: (line: string) => void lines.push(JSON.parse(line)) },
);
const t = useTestServer({ env: { LOG_LEVEL: "debug" }, logger });

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers });

describe("request ids", () => {
  it("answers every request with a new X-Request-Id, and its log lines carry it", async () => {
    const a = await get("/api/health");
    const b = await get("/api/no-such-route");
    expect(b.status).toBe(404);
    const ids = [a.headers.get("x-request-id"), b.headers.get("x-request-id")];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    const logged = lines.filter((l) => l.reqId === ids[1]).map((l) => l.msg);
    expect(logged).toEqual(expect.arrayContaining(["incoming request", "request completed"]));
  });

  it("keeps a well-formed incoming X-Request-Id and replaces a malformed one", async () => {
    const kept = await get("/api/health", { "x-request-id": "lb-7f3a.42:1" });
    expect(kept.headers.get("x-request-id")).toBe("lb-7f3a.42:1");
    expect(lines.some((l) => l.reqId === "lb-7f3a.42:1" && l.msg === "request completed")).toBe(true);
    for (const bad of ["has space", "x".repeat(129), "<script>", "a\u00e9b"]) {
      const r = await fetch(`${t.url}/api/health`, { headers: { "x-request-id": encodeURI(bad) } });
      const id = r.headers.get("x-request-id");
      expect(id, bad).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("a job's log lines carry its id and type", async () => {
    const seen = new Promise<number>((resolve) => {
      t.server.ctx.jobs.register({
        type: "test.log-context",
        payload: z.object({ n: z.number() }),
        async run(_p, job) {
          t.server.ctx.log.info("inside the job");
          resolve(job.id);
        },
      });
    });
    await t.server.ctx.db.tx((q) =>
      q.query("insert into jobs (type, payload, run_at) values ('test.log-context', '{\"n\":1}', now())"),
    );
    t.server.ctx.jobs.wake();
    const jobId = await seen;
    const line = await eventually(() => lines.find((l) => l.msg === "inside the job"));
    expect(line).toMatchObject({ jobId, jobType: "test.log-context" });
  });
});
