import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "../../testing/db";
import { messageInState } from "../../testing/delivery";
import {
  apiConnection,
  type Client,
  inbound,
  newWorkspace,
  startTestServer,
  type TestServer,
  unique,
} from "../../testing/harness";
import { startReceiver } from "../../testing/outbound-receiver";
import { useTestServer } from "../../testing/use-test-server";

/** The harness's server: EGRESS_ALLOW=127.0.0.1/32, as the tests' receivers need. */
const t = useTestServer();
/** A server with the guard as in production (no EGRESS_ALLOW), on a database of its own: its jobs are its own. */
let strict: TestServer;
let strictDb: Awaited<ReturnType<typeof openTestDb>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const secrets: string[] = [];

beforeAll(async () => {
  strictDb = await openTestDb();
  strict = await startTestServer(strictDb.db, { env: { EGRESS_ALLOW: "" } });
  receiver = await startReceiver(() => secrets.at(-1) ?? "");
});
afterAll(async () => {
  await strict?.close();
  await strictDb?.close();
  await receiver?.close();
});

async function failedSend(server: { url: string }, outboundUrl: string) {
  const { owner } = await newWorkspace(server as TestServer);
  const conn = await apiConnection(server as TestServer, owner, outboundUrl);
  secrets.push(conn.secret);
  await conn.post(inbound(unique("c"), "hello"));
  const [conv] = (await owner.get("/api/conversations")).body.conversations;
  const id = (await owner.post(`/api/conversations/${conv.id}/messages`, { text: "reply" })).body.message.id;
  return { owner, conn, message: await waitForState(owner, conv.id, id, "failed") };
}

const waitForState = (owner: Client, convId: string, messageId: string, state: string) =>
  messageInState(owner, convId, messageId, state);

describe("the API channel's outbound URL goes through the egress guard", () => {
  it("refuses loopback without EGRESS_ALLOW: the receiver is never reached", async () => {
    receiver.respondWith((r) => ({ status: 200, body: { id: `ext-${r.body.id}` } }));
    const before = receiver.requests.length;
    const { message } = await failedSend(strict, receiver.url);
    expect(message.delivery.failureReason).toBe("provider_error");
    expect(message.delivery.failureDetail).toMatch(/egress_refused.*127\.0\.0\.1 is not a public address/);
    expect(receiver.requests.length).toBe(before);
  });

  it("refuses a name that resolves to loopback, at the connection's own look-up", async () => {
    const port = new URL(receiver.url).port;
    const before = receiver.requests.length;
    const { message } = await failedSend(strict, `http://localhost:${port}/inbox`);
    expect(message.delivery.failureDetail).toMatch(
      /egress_refused.*localhost: (127\.0\.0\.1|::1) is not a public/,
    );
    expect(receiver.requests.length).toBe(before);
  });

  it("refuses the cloud metadata address and private ranges before connecting, even with EGRESS_ALLOW", async () => {
    const metadata = await failedSend(t, "http://169.254.169.254/latest/meta-data/iam/security-credentials/");
    expect(metadata.message.delivery.failureDetail).toMatch(
      /egress_refused.*169\.254\.169\.254 is a cloud metadata/,
    );
    const privateNet = await failedSend(t, "https://10.0.0.1/inbox");
    expect(privateNet.message.delivery.failureDetail).toMatch(/egress_refused.*10\.0\.0\.1 is not a public/);
    const mapped = await failedSend(t, "http://[::ffff:a9fe:a9fe]/");
    expect(mapped.message.delivery.failureDetail).toMatch(/egress_refused.*cloud metadata/);
  });

  it("re-checks a redirect: an allowed receiver redirecting to another loopback address is refused", async () => {
    const port = new URL(receiver.url).port;
    for (const target of [`http://127.0.0.2:${port}/inbox`, `http://[::1]:${port}/inbox`]) {
      receiver.respondWith(() => ({ status: 307, headers: { location: target } }));
      const before = receiver.requests.length;
      const { message } = await failedSend(t, receiver.url);
      // The allowed hop was made once; the redirect's target was refused rather than tried.
      expect(receiver.requests.length).toBe(before + 1);
      expect(message.delivery.failureDetail).toMatch(/egress_refused.*not a public address/);
    }
  });

  it("shows the status and a short reason of a refusal, never the reply body", async () => {
    const secret = "AKIAEXAMPLESECRET internal-dashboard";
    const html = http.createServer((_req, res) => {
      res.writeHead(403, { "content-type": "text/html" });
      res.end(`<html><body>${secret}</body></html>`);
    });
    await new Promise<void>((r) => html.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(html.address() as AddressInfo).port}/`;
      const { message } = await failedSend(t, url);
      expect(message.delivery.failureDetail).toBe("Receiver refused the message (403 Forbidden)");
    } finally {
      await new Promise<void>((r) => html.close(() => r()));
    }
    receiver.respondWith(() => ({
      status: 422,
      body: { error: `bad\u0000contact\n${"x".repeat(400)}`, secret },
    }));
    const { message } = await failedSend(t, receiver.url);
    const detail: string = message.delivery.failureDetail;
    expect(detail).toMatch(/^Receiver refused the message \(422 Unprocessable Entity: bad contact x+…\)$/);
    expect(detail).not.toContain(secret);
    expect(detail.length).toBeLessThan(260);
  });
});
