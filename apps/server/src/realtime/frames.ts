import type { ServerFrame } from "@parley/protocol";
import type { StoredEvent } from "../events/store";

/** Frames are encoded once and the same bytes go to every socket (sent as text frames). */
export const encode = (frame: ServerFrame) => Buffer.from(JSON.stringify(frame));

/** Encodes each distinct set of events once: sockets that may see the same events share the bytes. */
export class FrameCache {
  private readonly frames = new Map<string, Buffer>();
  private whole: { events: StoredEvent[]; frame: Buffer } | null = null;
  /**
   * The frame of `visible`, a subset of `of` kept in order. Most sockets see every event of a broadcast: that
   * frame is found without building a key.
   */
  get(visible: StoredEvent[], of: StoredEvent[] = visible): Buffer {
    if (visible.length === of.length) {
      if (this.whole?.events !== of) this.whole = { events: of, frame: this.encode(of) };
      return this.whole.frame;
    }
    const key = visible.map((e) => e.event.seq).join(",");
    let frame = this.frames.get(key);
    if (!frame) {
      frame = this.encode(visible);
      this.frames.set(key, frame);
    }
    return frame;
  }

  /** Events appended by this process carry their JSON already: the frame is put together from it. */
  private encode(events: StoredEvent[]): Buffer {
    if (events.every((e) => e.json !== undefined)) {
      return Buffer.from(
        events.length === 1
          ? `{"type":"event","event":${events[0]!.json}}`
          : `{"type":"events","events":[${events.map((e) => e.json).join(",")}]}`,
      );
    }
    return events.length === 1
      ? encode({ type: "event", event: events[0]!.event })
      : encode({ type: "events", events: events.map((e) => e.event) });
  }
}
