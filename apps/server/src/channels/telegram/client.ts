import type { z } from "zod";
import type { AdapterContext } from "../types";
import { ApiResponse } from "./payloads";

/**
 * A Bot API call that did not succeed: Telegram's own error_code / description / parameters, or (httpStatus
 * null) a network failure. Messages never contain the bot token (it is part of every URL).
 */
export class TelegramError extends Error {
  constructor(
    /** The HTTP status, or null when Telegram could not be reached. */
    public readonly httpStatus: number | null,
    public readonly errorCode: number | null,
    public readonly description: string,
    public readonly parameters: ApiResponse["parameters"] = undefined,
  ) {
    super(description);
  }
}

export const apiUrl = (ctx: AdapterContext, token: string, method: string) =>
  `${ctx.endpoints.telegramApiBase}/bot${token}/${method}`;

export const fileUrl = (ctx: AdapterContext, token: string, filePath: string) =>
  `${ctx.endpoints.telegramApiBase}/file/bot${token}/${filePath}`;

/** Calls a Bot API method with a JSON body and returns its `result`, checked against `result`'s schema. */
export async function callTelegram<T>(
  ctx: AdapterContext,
  token: string,
  method: string,
  params: Record<string, unknown>,
  result: z.ZodType<T>,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(ctx, token, method), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === "TimeoutError" ? `no answer within ${ctx.timeoutMs} ms` : (e.cause?.code ?? e.message);
    throw new TelegramError(
      null,
      null,
      `Could not reach ${new URL(ctx.endpoints.telegramApiBase).host}: ${why}`,
    );
  }
  const text = await res.text().catch(() => "");
  let body: ApiResponse | null = null;
  try {
    const parsed = ApiResponse.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Not JSON (a proxy's HTML error page): judged by the HTTP status below.
  }
  if (!body) {
    throw new TelegramError(res.status, null, `Telegram answered ${res.status} ${res.statusText}`.trim());
  }
  if (!body.ok || !res.ok) {
    throw new TelegramError(
      res.status,
      body.error_code ?? res.status,
      body.description ?? `Telegram answered ${res.status}`,
      body.parameters,
    );
  }
  const parsed = result.safeParse(body.result);
  if (!parsed.success) {
    throw new TelegramError(res.status, null, `Telegram's answer to ${method} was not understood.`);
  }
  return parsed.data;
}
