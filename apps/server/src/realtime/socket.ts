import type { z } from "zod";

/** What the keep-alive needs of a WebSocket (`ws`). */
interface PingableSocket {
  on(event: "pong", listener: () => void): unknown;
  ping(): void;
  terminate(): void;
}

/**
 * Pings the socket every `everyMs` and drops it when the previous ping went unanswered (a peer that vanished
 * without closing). `onBeat` runs at each ping. Returns the function that stops it (call it on close).
 */
export function keepAlive(socket: PingableSocket, everyMs: number, onBeat?: () => void): () => void {
  let alive = true;
  socket.on("pong", () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
    onBeat?.();
  }, everyMs);
  return () => clearInterval(timer);
}

/** The error frame a socket answers a frame it could not read with. */
export interface FrameError {
  type: "error";
  code: "invalid_json" | "validation_failed";
  message: string;
}

/** Reads a client's frame (JSON, then the schema): the frame, or the error frame to answer with. */
export function readFrame<S extends z.ZodType>(
  data: Buffer,
  schema: S,
): { frame: z.infer<S>; error?: never } | { frame?: never; error: FrameError } {
  let json: unknown;
  try {
    json = JSON.parse(data.toString("utf8"));
  } catch {
    return { error: { type: "error", code: "invalid_json", message: "Frames must be JSON." } };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { error: { type: "error", code: "validation_failed", message: "Unknown or malformed frame." } };
  }
  return { frame: parsed.data };
}
