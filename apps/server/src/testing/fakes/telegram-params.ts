import type http from "node:http";

/** A Bot API call's parameters: query string, JSON, or a form (objects JSON-serialised in its fields). */
export async function readParams(
  req: http.IncomingMessage,
  url: URL,
  raw: Buffer,
): Promise<Record<string, any>> {
  const params: Record<string, any> = Object.fromEntries(url.searchParams);
  const type = req.headers["content-type"] ?? "";
  if (raw.length === 0) return params;
  if (type.startsWith("application/json")) return { ...params, ...JSON.parse(raw.toString("utf8")) };
  if (type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")) {
    const form = await new Request("http://fake/", {
      method: "POST",
      headers: { "content-type": type },
      body: raw,
    }).formData();
    for (const [k, v] of form.entries()) {
      // Objects (reply_parameters, allowed_updates) come JSON-serialised in form fields.
      params[k] = typeof v === "string" && /^[[{]/.test(v) ? JSON.parse(v) : v;
    }
  }
  return params;
}
