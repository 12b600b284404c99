/**
 * npm run bench:rules — automation rules under load.
 *
 * Starts a Parley server process (embedded database, or PostgreSQL when DATABASE_URL is set) with one API
 * connection. First, ingest throughput (closed loop, 32 requests in flight) with no rule; then 10 enabled
 * customer-message rules are added (9 whose text condition never matches, one that adds a note) and the same
 * burst is measured again, in this run: their ratio is what rules cost ingest. Last, open loop, N customer
 * messages evenly over S seconds; per message, the time from the webhook's 200 to the rule's note arriving on
 * an agent's socket (p50/p99).
 *
 * Options: --messages 500 --seconds 10 --burst 500
 */
import crypto from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { apiConnection, authed, createOwner, request, signIn, startServer, stopProcess } from "./lib";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
    burst: { type: "string", default: "500" },
  },
});
const N = Number(values.messages);
const SECONDS = Number(values.seconds);
const BURST = Number(values.burst);
const pool = new http.Agent({ keepAlive: true, maxSockets: 64 });

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};

async function main() {
  const kind = process.env.DATABASE_URL ? "postgres" : "embedded";
  const server = await startServer(kind, "rules");
  const { port, env } = server;
  try {
    const email = await createOwner(port, env, "Rules bench");
    const owner = await signIn(port, email, pool);
    const conn = await apiConnection(port, owner, `rules-${Date.now()}`, pool);

    const send = async (text: string) => {
      const id = crypto.randomUUID();
      const body = JSON.stringify({ type: "message", id, contact: { id: `c-${id}`, name: "Bench" }, text });
      const signature = `sha256=${crypto.createHmac("sha256", conn.secret).update(body).digest("hex")}`;
      const r = await request(
        port,
        "POST",
        `/api/webhooks/api/${conn.id}`,
        body,
        { "content-type": "application/json", "x-parley-signature": signature },
        pool,
      );
      if (r.status !== 200) throw new Error(`webhook ${r.status} ${r.body}`);
      return JSON.parse(r.body).results[0].conversationId as string;
    };
    const burst = async (text: string) => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next++ < BURST) await send(text);
        }),
      );
      return BURST / ((performance.now() - t0) / 1000);
    };

    // 1. Ingest without rules, then with ten.
    const offRate = await burst("warm-up and baseline");
    for (let i = 0; i < 10; i++) {
      const rule =
        i < 9
          ? {
              trigger: "customer_message",
              conditions: { textContains: `never-${i}` },
              actions: [{ type: "close" }],
            }
          : {
              trigger: "customer_message",
              conditions: { textContains: "bench" },
              actions: [{ type: "note", text: "seen" }],
            };
      const r = await request(
        port,
        "POST",
        "/api/rules",
        JSON.stringify({ name: `Rule ${i}`, ...rule }),
        authed(owner),
        pool,
      );
      if (r.status !== 201) throw new Error(`rule ${r.status} ${r.body}`);
    }
    const onRate = await burst("bench burst");
    console.log(`${kind}: ingest ${BURST} messages, 32 in flight`);
    console.log(
      `  ingest throughput: no rules ${offRate.toFixed(0)}/s, 10 rules ${onRate.toFixed(0)}/s, ratio ${(onRate / offRate).toFixed(2)}`,
    );

    // 2. Open loop: the time from the webhook's 200 to the rule's note on a socket.
    const noteAt = new Map<string, number>();
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${port}/api/realtime`, { headers: { cookie: owner.cookie } });
      s.on("message", (data) => {
        const frame = JSON.parse(data.toString());
        const events = frame.type === "event" ? [frame.event] : frame.type === "events" ? frame.events : [];
        for (const e of events)
          if (e.type === "message.created" && e.message.kind === "note" && e.message.authorType === "bot")
            if (!noteAt.has(e.conversationId)) noteAt.set(e.conversationId, performance.now());
      });
      s.once("open", () => resolve(s));
      s.once("error", reject);
    });
    const ackedAt = new Map<string, number>();
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      const wait = started + (i * SECONDS * 1000) / N - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(send("bench message").then((id) => void ackedAt.set(id, performance.now())));
    }
    await Promise.all(inFlight);
    const until = performance.now() + 120_000;
    while ([...ackedAt.keys()].some((id) => !noteAt.has(id)) && performance.now() < until)
      await new Promise((r) => setTimeout(r, 200));
    const lat = [...ackedAt]
      .filter(([id]) => noteAt.has(id))
      .map(([id, at]) => Math.max(0, noteAt.get(id)! - at));
    console.log(`  ${N} messages over ${SECONDS} s: rule acted on ${lat.length}/${N}`);
    console.log(
      `  rule action after ingest: p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms`,
    );
    ws.close();
  } finally {
    await stopProcess(server.child);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
