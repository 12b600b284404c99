import { EgressRefused } from "../../lib/egress/addresses";
import type { egressPolicy } from "../../lib/egress/agents";
import { egressPost } from "../../lib/egress/post";
import { describeFailure } from "../../lib/egress/responses";
import type { Clock } from "../../lib/time";
import { signPayload } from "./sign";
import type { DueDelivery, Outcome } from "./store";

export interface PostOptions {
  policy: ReturnType<typeof egressPolicy>;
  clock: Clock;
  timeoutMs: number;
}

const EXCERPT = 500;
const BASE_DELAY_MS = 10_000;
const MAX_DELAY_MS = 60 * 60_000;

/** Before attempt n+1: 10 s doubling per attempt up to an hour, each with ±20% jitter. */
export function backoffMs(attempts: number, random = Math.random): number {
  const plain = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

const clean = (s: string) =>
  [...s]
    .map((ch) => {
      const c = ch.codePointAt(0)!;
      return c < 0x20 || (c >= 0x7f && c <= 0x9f) ? " " : ch;
    })
    .join("")
    .trim()
    .slice(0, EXCERPT);

/** One POST of one delivery: its outcome, never a throw. */
export async function postDelivery(
  url: string | URL,
  secret: string,
  d: DueDelivery,
  o: PostOptions,
): Promise<Omit<Outcome, "key">> {
  const started = performance.now();
  const at = o.clock.now();
  const t = Math.floor(at.getTime() / 1000);
  const retryAt = () => new Date(o.clock.now().getTime() + backoffMs(d.attempts + 1));
  const took = () => performance.now() - started;
  try {
    const res = await egressPost(o.policy, url, {
      headers: {
        "content-type": "application/json",
        "user-agent": "Parley-Webhooks/1",
        "x-parley-signature": signPayload(secret, d.body, t),
        "x-parley-event": d.event_id,
        "x-parley-event-type": d.event_type,
        "x-parley-delivery": d.id,
      },
      body: d.body,
      timeoutMs: o.timeoutMs,
      excerptBytes: 2048,
    });
    const excerpt = clean(res.excerpt);
    const ok = res.status >= 200 && res.status < 300;
    return {
      id: d.id,
      status: ok ? "succeeded" : "pending",
      nextAt: ok ? at : retryAt(),
      at,
      durationMs: took(),
      responseStatus: res.status,
      excerpt: excerpt || null,
      error: ok ? null : `the endpoint answered ${res.status}`,
    };
  } catch (err) {
    // A refused address (internal, or a redirect to one) is not retried: no retry can make it allowed,
    // and it must not hold the conversation's later events. "Send again" tries it once more.
    const refused = err instanceof EgressRefused;
    return {
      id: d.id,
      status: refused ? "failed" : "pending",
      nextAt: refused ? at : retryAt(),
      at,
      durationMs: took(),
      responseStatus: null,
      excerpt: null,
      error: describeFailure(err),
    };
  }
}

/** The endpoint's URL parsed (left as it is when it does not parse: the guard refuses it). */
export function targetOf(url: string): string | URL {
  try {
    return new URL(url);
  } catch {
    return url;
  }
}
