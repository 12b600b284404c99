import type { ServerFrame } from "@parley/protocol";
import type { StoredEvent } from "../events/store";

/** Frames are encoded once and the same bytes go to every socket (sent as text frames). */
export const encode = (frame: ServerFrame) => Buffer.from(JSON.stringify(frame));

/** Encodes each distinct set of events once: sockets that may see the same events share the bytes. */
export class FrameCache {
  private readonly frames = new Map<string, Buffer>();
  get(events: StoredEvent[]): Buffer {
    const key = events.map((e) => e.event.seq).join(",");
    let frame = this.frames.get(key);
    if (!frame) {
      frame =
        events.length === 1
          ? encode({ type: "event", event: events[0]!.event })
          : encode({ type: "events", events: events.map((e) => e.event) });
      this.frames.set(key, frame);
    }
    return frame;
  }
}
