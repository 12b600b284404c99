import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { checkUrl, type EgressPolicy, EgressRefused } from "./addresses";
import { type Agents, agentsFor } from "./agents";

export interface EgressInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
  signal?: AbortSignal;
  /** Refuse anything but https (Web Push). */
  httpsOnly?: boolean;
  /** Redirects followed (each one re-checked); default 5. */
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * `fetch` for supplied addresses: the same answer as fetch (a Response), redirects followed by hand and each hop
 * re-checked, every connection made only to a permitted address. Throws EgressRefused when refused.
 */
export async function egressFetch(
  policy: EgressPolicy & { key: string },
  input: string,
  init: EgressInit = {},
): Promise<Response> {
  const { res, method } = await follow(policy, input, init);
  return toResponse(res, method);
}

/**
 * The hops of one request: each URL checked before its connection (and its name at the socket's look-up),
 * redirects followed by hand up to the limit. Resolves with the final answer, its body not yet read.
 * `onRequest` sees each hop's request (to end it on a deadline).
 */
export async function follow(
  policy: EgressPolicy & { key: string },
  input: string | URL,
  init: EgressInit,
  onRequest?: (req: http.ClientRequest) => void,
): Promise<{ res: http.IncomingMessage; method: string }> {
  const agents = agentsFor(policy.key, policy);
  let url: URL;
  try {
    url = typeof input === "string" ? new URL(input) : input;
  } catch {
    throw new EgressRefused("not a valid URL");
  }
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body ?? null;
  let headers: Record<string, string> = { ...init.headers };
  const maxRedirects = init.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    checkUrl(url, { allow: policy.allow, httpsOnly: init.httpsOnly });
    const res = await request(agents, url, method, headers, body, init.signal, onRequest);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || typeof location !== "string") return { res, method };
    res.resume();
    if (hop >= maxRedirects) throw new EgressRefused(`more than ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new EgressRefused("the redirect location is not a valid URL");
    }
    if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === "POST")) {
      method = method === "HEAD" ? "HEAD" : "GET";
      body = null;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
    }
    if (next.origin !== url.origin)
      headers = Object.fromEntries(
        Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)),
      );
    url = next;
  }
}

function request(
  agents: Agents,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | null,
  signal: AbortSignal | undefined,
  onRequest?: (req: http.ClientRequest) => void,
): Promise<http.IncomingMessage> {
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: {
          ...headers,
          ...(url.username ? { authorization: basicAuth(url) } : {}),
          // A known length: one write of head and body, no chunked framing.
          ...(body !== null && !hasHeader(headers, "content-length")
            ? { "content-length": byteLength(body) }
            : {}),
        },
        agent: secure ? agents.https : agents.http,
        lookup: agents.lookup as never,
        ...(signal ? { signal } : {}),
      },
      resolve,
    );
    req.on("error", reject);
    onRequest?.(req);
    req.end(body ?? undefined);
  });
}

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((k) => k.toLowerCase() === name);
const byteLength = (body: string | Uint8Array) =>
  String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);

const basicAuth = (url: URL) =>
  `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;

function toResponse(res: http.IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    } catch {
      // A header value fetch would refuse: leave it out.
    }
  }
  const status = res.statusCode ?? 502;
  const empty = NULL_BODY.has(status) || method === "HEAD";
  if (empty) res.resume();
  return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
    status: status < 200 || status > 599 ? 502 : status,
    // The standard phrase, not the one the server wrote: nothing of the answer's own words.
    statusText: http.STATUS_CODES[status] ?? "",
    headers,
  });
}

/** The answer's body as text, at most `maxBytes` of it (the rest is not read). */
