import { EgressRefused } from "./addresses";

export async function readText(res: Response, maxBytes = 64 * 1024): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A broken answer: what arrived is all there is.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
}

/**
 * At most a short, single-line reason from a refused or failed answer: a JSON `error`/`message` string (or
 * `error.message`), control characters removed, at most `max` characters. Never the raw body.
 */
export function briefReason(text: string, max = 200): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== "object") return null;
  const o = json as Record<string, unknown>;
  const nested =
    o.error && typeof o.error === "object" ? (o.error as Record<string, unknown>).message : undefined;
  const found = [o.error, o.message, nested, o.reason].find((v) => typeof v === "string" && v.trim());
  if (typeof found !== "string") return null;
  const clean = [...found]
    .map((ch) => {
      const c = ch.codePointAt(0)!;
      return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 ? " " : ch;
    })
    .join("")
    .replace(/\s+/g, " ")
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** A person-readable line for a failed request: the refusal's reason, or the error's message (no bodies). */
export function describeFailure(err: unknown): string {
  if (err instanceof EgressRefused) return err.message;
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return "the request timed out";
  return String(e?.message ?? err).slice(0, 200);
}
