import type http from "node:http";

/** Media a customer "sent" to the WhatsApp fake: its bytes, served at /dl/<id> for ttlMs after each lookup. */
export interface FakeMedia {
  bytes: Buffer;
  mimeType: string;
  ttlMs: number;
  issuedAt: number | null;
  /** While set, the bytes are not sent: the download hangs until the promise settles. */
  hold: Promise<void> | null;
}

/** Stores media; returns its media id. ttlMs 0: its download URL is already expired. */
export function addMedia(
  media: Map<string, FakeMedia>,
  bytes: Buffer,
  mimeType: string,
  o: { ttlMs?: number } = {},
) {
  const id = String(1_000_000_000_000_000n + BigInt(media.size + 1) * 7919n);
  media.set(id, { bytes, mimeType, ttlMs: o.ttlMs ?? 5 * 60_000, issuedAt: null, hold: null });
  return id;
}

/**
 * Makes the media's download hang (the lookup still answers) until `release()`; every download request
 * waiting then gets the bytes.
 */
export function holdMedia(media: Map<string, FakeMedia>, id: string) {
  const m = media.get(id);
  if (!m) throw new Error(`no media ${id}`);
  let release = () => {};
  m.hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release() {
      m.hold = null;
      release();
    },
  };
}

/** GET /dl/<id>: the bytes while the lookup's URL is fresh (404 "URL signature expired" after), or held. */
export function serveMedia(res: http.ServerResponse, m: FakeMedia | undefined, now: number) {
  if (!m || m.issuedAt === null || now >= m.issuedAt + m.ttlMs) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("URL signature expired");
  }
  const send = () => {
    res.writeHead(200, { "content-type": m.mimeType, "content-length": String(m.bytes.length) });
    res.end(m.bytes);
  };
  if (m.hold) return void m.hold.then(send);
  return send();
}
