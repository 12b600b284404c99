import http from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookRequest {
  body: any;
  raw: string;
  headers: http.IncomingHttpHeaders;
  path: string;
}

interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (the sender's timeout ends it). */
  hang?: boolean;
}

/**
 * A receiver of outgoing webhooks on loopback: records every request and answers as the test says
 * (200 by default; a 500, a redirect, no answer at all).
 */
export async function startWebhookReceiver() {
  const requests: WebhookRequest[] = [];
  let respond: (req: WebhookRequest) => Reply = () => ({ status: 200, body: "ok" });
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {}
      const entry = { body, raw, headers: req.headers, path: req.url ?? "/" };
      requests.push(entry);
      const out = respond(entry);
      if (out.hang) {
        hanging.add(res);
        return;
      }
      res.writeHead(out.status, { "content-type": "text/plain", ...out.headers });
      res.end(out.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: `${base}/hooks`,
    requests,
    /** The requests carrying events of one type (in arrival order). */
    ofType: (type: string) => requests.filter((r) => r.body?.type === type),
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    /** How many requests are waiting for an answer (`hang`). */
    hanging: () => hanging.size,
    /** Answers the waiting requests at last. */
    release(status = 200, body = "late") {
      for (const res of hanging) {
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(body);
      }
      hanging.clear();
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
