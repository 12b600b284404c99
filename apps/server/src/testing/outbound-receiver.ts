import http from "node:http";
import type { AddressInfo } from "node:net";
import { signBody } from "../channels/api/adapter";

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ReceivedRequest {
  body: any;
  raw: string;
  signature: string | undefined;
  signatureValid: boolean;
}

/**
 * An integrator's endpoint on loopback: receives the API channel's outgoing messages over real HTTP,
 * checks their signature and answers as told (2xx with an id, a 429 with Retry-After, a 500, a 400…).
 */
export async function startReceiver(secret: () => string) {
  const requests: ReceivedRequest[] = [];
  let respond: (req: ReceivedRequest, n: number) => Reply | Promise<Reply> = (r) => ({
    status: 200,
    body: { id: `ext-${r.body.id}` },
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const signature = req.headers["x-parley-signature"] as string | undefined;
      const entry: ReceivedRequest = {
        body: JSON.parse(raw),
        raw,
        signature,
        signatureValid: signature === signBody(secret(), raw),
      };
      requests.push(entry);
      void Promise.resolve(respond(entry, requests.length)).then((out) => {
        res.writeHead(out.status, { "content-type": "application/json", ...out.headers });
        res.end(JSON.stringify(out.body ?? {}));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`,
    requests,
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
