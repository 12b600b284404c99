import type { OutgoingMessage } from "./messages";

/**
 * Sends a message that goes out as several provider messages (text in parts, text plus files, one file per
 * message), part by part, resuming after the parts an earlier attempt already sent. Each accepted part's
 * provider id is recorded in the database (`message.parts.record`, the send job's `messages.sent_parts`)
 * before the next part is sent, so a retry on any worker process — or after a crash and restart — never
 * sends a part twice. Returns the provider ids of all parts, in order.
 *
 * The one gap no client can close: a process that dies after the provider accepted a part and before its
 * id was recorded sends that part again on the retry (none of these providers takes an idempotency key).
 */
export async function sendInParts(
  message: Pick<OutgoingMessage, "parts">,
  count: number,
  sendPart: (index: number, context: { sent: readonly string[] }) => Promise<string>,
): Promise<string[]> {
  const done = [...(message.parts?.sent ?? [])];
  for (let i = done.length; i < count; i++) {
    const id = await sendPart(i, { sent: done });
    await message.parts?.record(i, id);
    done.push(id);
  }
  return done.slice(0, count);
}
