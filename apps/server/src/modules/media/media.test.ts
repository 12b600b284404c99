import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { eventually } from "../../testing/eventually";
import { startWhatsAppFake, type WhatsAppFake } from "../../testing/fakes/whatsapp";
import { type Client, newWorkspace, unique } from "../../testing/harness";
import { jobsSettled } from "../../testing/settled";
import { useTestServer } from "../../testing/use-test-server";

const PNID = "106540352242955";
const TOKEN = `EAAG${"m3d1a".repeat(10)}`;
const APP_SECRET = "media-jobs-app-secret-0123456789";
const V = "v21.0";

let fake: WhatsAppFake;
beforeAll(async () => {
  fake = await startWhatsAppFake({ phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET });
});
afterAll(async () => {
  await fake?.close();
});

/** The server's clock: moved to make a download's retry due or its link expire, never slept for. */
const clock = new MovableClock();
const t = useTestServer(() => ({
  env: { GRAPH_API_BASE: fake.url, GRAPH_API_VERSION: V, MEDIA_DOWNLOAD_TIMEOUT_MS: "60000" },
  clock,
}));

const waId = () => `1632${crypto.randomInt(1_000_000, 9_999_999)}`;

/** A workspace with a WhatsApp connection and a customer who wrote a first (text) message. */
async function setup() {
  const { owner } = await newWorkspace(t);
  const r = await owner.post("/api/connections", {
    type: "whatsapp",
    name: unique("wa-media"),
    credentials: { phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect((await fake.subscribe(r.body.reveal.webhookUrl, r.body.reveal.verifyToken)).ok).toBe(true);
  const customer = waId();
  expect(
    (await fake.deliver(fake.message(customer, { type: "text", text: { body: "Hi" } }).payload)).status,
  ).toBe(200);
  const [conv] = (await owner.get("/api/conversations")).body.conversations;
  return { owner, customer, conv };
}

const imageMessage = (customer: string, mediaId: string) =>
  fake.message(customer, {
    type: "image",
    image: { caption: "the parcel", mime_type: "image/jpeg", sha256: "x", id: mediaId },
  });

async function messageOf(owner: Client, convId: string, providerId: string) {
  const feed = (await owner.get(`/api/conversations/${convId}/messages`)).body.messages as any[];
  return feed.find((m) => m.providerMessageId === providerId);
}

describe("inbound media by background job", () => {
  it("acknowledges the webhook while the media download hangs, then puts the file on the message live", async () => {
    const { owner, customer, conv } = await setup();
    const socket = await owner.socket(t.wsUrl);
    const jpeg = crypto.randomBytes(4096);
    const mediaId = fake.addMedia(jpeg, "image/jpeg");
    const hold = fake.holdMedia(mediaId);
    const msg = imageMessage(customer, mediaId);

    // Beside each: a plain text webhook, the baseline of this machine at this moment.
    const textMs: number[] = [];
    const mediaMs: number[] = [];
    const holds = [hold];
    let r: Awaited<ReturnType<WhatsAppFake["deliver"]>> | undefined;
    for (let i = 0; i < 3; i++) {
      const s0 = performance.now();
      const text = await fake.deliver(
        fake.message(customer, { type: "text", text: { body: `t${i}` } }).payload,
      );
      textMs.push(performance.now() - s0);
      expect(text.status).toBe(200);
      const otherId = fake.addMedia(jpeg, "image/jpeg");
      if (i < 2) holds.push(fake.holdMedia(otherId));
      const held = i === 2 ? msg : imageMessage(customer, otherId);
      const s1 = performance.now();
      r = await fake.deliver(held.payload);
      mediaMs.push(performance.now() - s1);
      // The positive signal: the 200 came while the provider's media endpoint still holds the bytes back.
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    // 100 ms, unless this machine answers a plain text webhook slower than 50 ms right now (a loaded
    // machine): then no slower than twice that.
    expect(median(mediaMs)).toBeLessThanOrEqual(Math.max(100, 2 * median(textMs)));
    expect(r!.body.results[0]).toMatchObject({ kind: "message", status: "created" });
    const stored = await messageOf(owner, conv.id, msg.id);
    expect(stored.text).toBe("the parcel");
    expect(stored.attachments).toEqual([
      { name: "image.jpg", mimeType: "image/jpeg", size: 0, url: "", state: "downloading" },
    ]);
    // The job is downloading: it asked WhatsApp for the URL and is waiting on the bytes.
    await eventually(() => fake.requests.some((q) => q.path === `/dl/${mediaId}`), {
      what: "the download request",
    });

    for (const h of holds) h.release();
    const update = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === stored.id && e.message.attachments[0].state === "ready",
      20_000,
    );
    const file = update.message.attachments[0];
    expect(file).toMatchObject({ name: "image.jpg", mimeType: "image/jpeg", size: 4096, state: "ready" });
    expect(file.url).toMatch(/^\/api\/files\//);
    const bytes = await fetch(`${t.url}${file.url}`, { headers: { cookie: owner.cookie! } });
    expect(Buffer.from(await bytes.arrayBuffer()).equals(jpeg)).toBe(true);
    expect((await messageOf(owner, conv.id, msg.id)).attachments[0]).toEqual(file);
    socket.close();
  });

  it("retries a failed download with a fresh URL by media id until the reference expires, then says why", async () => {
    const { owner, customer, conv } = await setup();
    const socket = await owner.socket(t.wsUrl);
    // Every URL the lookup gives is already expired: the download answers 404 each time.
    const mediaId = fake.addMedia(Buffer.from("never fetched"), "image/jpeg", { ttlMs: 0 });
    const msg = imageMessage(customer, mediaId);
    expect((await fake.deliver(msg.payload)).status).toBe(200);
    const stored = await messageOf(owner, conv.id, msg.id);
    const job = async () =>
      (
        await t.db.query<{ status: string; attempts: number; last_error: string | null }>(
          "select status, attempts, last_error from jobs where type = 'media.download' and payload->>'messageId' = $1",
          [stored.id],
        )
      )[0];
    const lookups = () =>
      fake.requests.filter((q) => q.method === "GET" && q.path === `/${V}/${mediaId}`).length;

    // First try failed: a retry is scheduled, the attachment still says "downloading".
    await eventually(async () => {
      const j = await job();
      return j?.status === "pending" && j.attempts === 1 ? j : null;
    });
    expect((await job())!.last_error).toMatch(/404/);
    expect((await messageOf(owner, conv.id, msg.id)).attachments[0].state).toBe("downloading");

    // The backoff passes: the second try looks the media id up again (a new URL), and fails again.
    clock.advance(10_000);
    t.server.ctx.jobs.wake();
    await eventually(async () => ((await job())?.attempts === 2 && lookups() === 2 ? true : null));
    await jobsSettled(t.server);
    expect((await messageOf(owner, conv.id, msg.id)).attachments[0].state).toBe("downloading");

    // A day later WhatsApp's reference is past Parley's retry window: the last try gives up with the reason.
    clock.advance(25 * 3600_000);
    t.server.ctx.jobs.wake();
    const failed = await socket.waitForEvent(
      "message.updated",
      (e) => e.message.id === stored.id && e.message.attachments[0].state === "failed",
      20_000,
    );
    expect(failed.message.attachments[0]).toMatchObject({ name: "image.jpg", url: "", state: "failed" });
    expect(failed.message.attachments[0].error).toMatch(/404/);
    // The job ends as done (not dead) once the attempt that gave up returns.
    await eventually(async () => ((await job())?.status === "done" ? true : null), { what: "the job done" });
    expect((await messageOf(owner, conv.id, msg.id)).attachments[0].state).toBe("failed");
    socket.close();
  });
});
