import fs from "node:fs";
import http from "node:http";
import type WebSocket from "ws";
import { hubSignature, metaJson, startWhatsAppFake } from "../apps/server/src/testing/fakes/whatsapp";
import {
  findAll,
  fmt,
  openSockets,
  P99_TARGET_MS,
  PROVIDER_ID_MARK,
  runStep,
  type StepResult,
} from "./ingest-harness";
import { addAgents, authed, createOwner, request, signIn, startServer, stopProcess } from "./lib";

/**
 * `npm run bench:ingest -- --media-share 0.2 --media-stall 30000`: does a provider whose media downloads
 * stall slow down the webhooks? One Parley server with a WhatsApp connection on the WhatsApp fake; at each
 * rate, a step of text messages (the baseline) and then a step where `share` of the messages carry an image
 * whose download the fake holds for `stallMs` before sending a byte. Both report the webhook's
 * acknowledgement time (request sent → 200) and the time until the message reached every agent's socket.
 */

const PNID = "106540352242922";
const TOKEN = `EAAG${"bench".repeat(10)}`;
const APP_SECRET = "bench-whatsapp-app-secret";
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0]);

export interface MediaOptions {
  share: number;
  stallMs: number;
  rates: number[];
  stepSeconds: number;
  agents: number;
  contacts: number;
}

/** The value after `--name` on the command line, or undefined. */
export function cliOption(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export async function benchStalledMedia(kind: "embedded" | "postgres", o: MediaOptions) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const fake = await startWhatsAppFake({ phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET });
  const { port, dataDir, env, child } = await startServer(kind, "media", {
    GRAPH_API_BASE: fake.url,
    GRAPH_API_VERSION: "v21.0",
  });
  let sockets: WebSocket[] = [];
  let held = 0;
  try {
    const email = await createOwner(port, env, "Bench");
    const owner = await signIn(port, email, agent);
    const r = await request(
      port,
      "POST",
      "/api/connections",
      JSON.stringify({
        type: "whatsapp",
        name: "bench-whatsapp",
        credentials: { phoneNumberId: PNID, accessToken: TOKEN, appSecret: APP_SECRET },
      }),
      authed(owner),
      agent,
    );
    if (r.status !== 201) throw new Error(`whatsapp connection ${r.status} ${r.body}`);
    const connectionId = (JSON.parse(r.body) as { connection: { id: string } }).connection.id;
    const cookies = [owner.cookie, ...(await addAgents(port, owner, email, o.agents - 1, agent))];
    sockets = await openSockets(`ws://127.0.0.1:${port}/api/realtime`, cookies);
    const webhook = `/api/webhooks/whatsapp/${connectionId}`;

    /** Posts one signed `messages` webhook; `share` of them (evenly spread) carry a stalled image. */
    const sender = (share: number) => async (id: string, n: number) => {
      const from = `1555${String(n % o.contacts).padStart(7, "0")}`;
      const withMedia = Math.floor((n + 1) * share) > Math.floor(n * share);
      let m: Record<string, unknown> = { type: "text", text: { body: `message ${n}` } };
      if (withMedia) {
        const mediaId = fake.addMedia(JPEG, "image/jpeg");
        const hold = fake.holdMedia(mediaId);
        held++;
        setTimeout(hold.release, o.stallMs).unref();
        m = { type: "image", image: { id: mediaId, mime_type: "image/jpeg", caption: `photo ${n}` } };
      }
      const raw = metaJson(fake.message(from, m, { id }).payload);
      const res = await request(
        port,
        "POST",
        webhook,
        raw,
        { "content-type": "application/json", "x-hub-signature-256": hubSignature(APP_SECRET, raw) },
        agent,
      );
      return res.status;
    };
    const idsOf = (frame: Buffer) => findAll(frame, PROVIDER_ID_MARK);
    const step = (rate: number, share: number) => runStep(rate, sockets, sender(share), idsOf, o.stepSeconds);
    // Warm-up: creates the contacts' conversations and warms caches and JIT.
    await step(Math.min(100, o.rates[0]!), 0);
    const rows: { rate: number; plain: StepResult; media: StepResult }[] = [];
    for (const rate of o.rates) {
      const plain = await step(rate, 0);
      const media = await step(rate, o.share);
      rows.push({ rate, plain, media });
    }
    const downloads = fake.requests.filter((x) => x.path.startsWith("/dl/")).length;
    return { rows, held, downloads };
  } finally {
    for (const s of sockets) s.close();
    await stopProcess(child);
    await fake.close();
    agent.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printMedia(
  kind: string,
  o: MediaOptions,
  result: Awaited<ReturnType<typeof benchStalledMedia>>,
) {
  const pctShare = `${fmt(o.share * 100)} %`;
  console.log(
    `\nParley on ${kind}: WhatsApp webhooks without media, then with ${pctShare} carrying an image whose download stalls ${fmt(o.stallMs / 1000)} s`,
  );
  console.log("  target/s  media   achieved/s  acked      ack p50  ack p99  to all p50  to all p99  errors");
  for (const { rate, plain, media } of result.rows)
    for (const [label, s] of [
      ["none", plain],
      [pctShare, media],
    ] as const)
      console.log(
        `  ${fmt(rate).padStart(8)}  ${label.padEnd(6)}  ${fmt(s.achieved).padStart(10)}  ${`${s.acked}/${s.sent}`.padStart(9)}  ${fmt(s.ackP50, 1).padStart(7)}  ${fmt(s.ackP99, 1).padStart(7)}  ${fmt(s.p50, 1).padStart(10)}  ${fmt(s.p99, 1).padStart(10)}  ${String(s.errors).padStart(6)}`,
      );
  console.log(
    `  ${result.held} images held by the fake, ${result.downloads} download requests reached it while the steps ran`,
  );
  const lines: string[] = [];
  for (const { rate, plain, media } of result.rows)
    lines.push(
      `${kind} at ${rate}/s: webhook ack p99 ${fmt(media.ackP99, 1)} ms with ${pctShare} stalled media vs ${fmt(plain.ackP99, 1)} ms without (${fmt(media.ackP99 / plain.ackP99, 2)}×; p50 ${fmt(media.ackP50, 1)} vs ${fmt(plain.ackP50, 1)} ms) — target p99 ≤ ${P99_TARGET_MS} ms: ${media.ackP99 <= P99_TARGET_MS ? "met" : "missed"}`,
    );
  return lines;
}
