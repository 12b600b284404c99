import type http from "node:http";
import type { EgressPolicy } from "./addresses";
import { follow } from "./fetch";

export interface EgressAnswer {
  status: number;
  /** The first `excerptBytes` of the answer's body (the rest is not kept). */
  excerpt: string;
}

export interface EgressPostInit {
  headers: Record<string, string>;
  body: string;
  /** For the whole exchange, redirects included; then it fails with a TimeoutError. */
  timeoutMs: number;
  excerptBytes: number;
  maxRedirects?: number;
}

/** The error a request past its deadline fails with (`describeFailure` calls it a timeout). */
class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  constructor() {
    super("the request timed out");
  }
}

/**
 * A POST through the egress guard for senders that want only the answer's status and a short excerpt of its
 * body (outgoing webhooks): the same checks and hops as `egressFetch` (every address checked at connection,
 * every redirect re-checked), without a WHATWG Response around the answer. One timer bounds the exchange.
 * An answer's body is read up to `excerptBytes`; a longer one closes its connection rather than being drained.
 */
export function egressPost(
  policy: EgressPolicy & { key: string },
  url: string | URL,
  init: EgressPostInit,
): Promise<EgressAnswer> {
  return new Promise((resolve, reject) => {
    let current: http.ClientRequest | null = null;
    let answer: http.IncomingMessage | null = null;
    let settled = false;
    const finish = (err: Error | null, value?: EgressAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => {
      const err = new TimeoutError();
      finish(err);
      answer?.destroy(err);
      current?.destroy(err);
    }, init.timeoutMs);
    follow(
      policy,
      url,
      { method: "POST", headers: init.headers, body: init.body, maxRedirects: init.maxRedirects },
      (req) => {
        current = req;
        if (settled) req.destroy(new TimeoutError());
      },
    ).then(
      ({ res }) => {
        answer = res;
        if (settled) return void res.destroy();
        const status = res.statusCode ?? 502;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish(null, {
            status,
            excerpt: Buffer.concat(chunks).subarray(0, init.excerptBytes).toString("utf8"),
          });
        res.on("data", (c: Buffer) => {
          if (size < init.excerptBytes) chunks.push(c);
          size += c.length;
          if (size >= init.excerptBytes) {
            // Enough of it: the rest is not read, and the connection is not reused.
            done();
            res.destroy();
          }
        });
        res.on("end", done);
        // A broken answer after its head: what arrived is all there is.
        res.on("error", done);
        res.on("close", done);
      },
      (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
    );
  });
}
