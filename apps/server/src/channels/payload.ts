import type { z } from "zod";
import { AppError } from "../lib/errors";

/**
 * Reads a webhook's raw body as JSON and checks it against the provider's schema: 400 `invalid_json` or
 * `validation_failed` (with the issues) and a message naming what was expected.
 */
export function parseWebhookJson<S extends z.ZodType>(raw: Buffer, schema: S, expected: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError("invalid_json", "The webhook body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError("validation_failed", expected, parsed.error.issues);
  return parsed.data;
}
