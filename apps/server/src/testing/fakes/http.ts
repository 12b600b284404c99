import type http from "node:http";

/** A request body read whole: its URL, raw text, and the JSON in it (the raw text when it is not JSON). */
export interface ReadRequest {
  url: URL;
  raw: string;
  /** The body's bytes (a multipart upload). */
  bytes: Buffer;
  body: any;
}

/** Reads a fake provider's request to the end, then hands it over. */
export function readRequest(req: http.IncomingMessage, then: (r: ReadRequest) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://fake");
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString("utf8");
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      body = raw;
    }
    then({ url, raw, bytes, body });
  });
}
