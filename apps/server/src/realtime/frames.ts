import type { ServerFrame } from "@parley/protocol";
import { type Actor, can, canReceive } from "../domain/permissions";
import type { StoredEvent } from "../events/store";

/** Frames are encoded once and the same bytes go to every socket (sent as text frames). */
export const encode = (frame: ServerFrame) => Buffer.from(JSON.stringify(frame));

/** Up to this many events, a subset is keyed by a bit mask (a number) rather than a string. */
const MASK_BITS = 30;

/**
 * What decides whether an agent may see an event that names none of their users (as assignee, operator,
 * previous assignee or recipient): their workspace, whether they see every conversation, and their teams.
 * Agents of one profile see the same events of such a run. Kept per actor (a re-check gives a new one).
 */
const profiles = new WeakMap<Actor, string>();
function profileOf(actor: Actor): string {
  let key = profiles.get(actor);
  if (key === undefined) {
    const all = can(actor, "conversations.view_all") ? "all" : [...actor.teamIds].sort().join(",");
    key = `${actor.workspaceId}|${all}`;
    profiles.set(actor, key);
  }
  return key;
}

/** The users a run's audiences name: only their visibility depends on who they are. */
function namedUsers(events: readonly StoredEvent[]): Set<string> {
  const named = new Set<string>();
  const add = (id: string | null | undefined) => id && named.add(id);
  for (const { audience } of events) {
    for (const id of audience.userIds ?? []) add(id);
    const c = audience.conversation;
    if (!c) continue;
    add(c.assigneeId);
    add(c.previousAssigneeId);
    for (const id of c.operatorIds) add(id);
  }
  return named;
}

/**
 * The frames of one run of events. Which events a socket may see is decided once per profile (see
 * `profileOf`) for the agents the run does not name, and each distinct subset is encoded once: sockets that
 * may see the same events share the bytes. Choosing a socket's frame allocates nothing once it exists.
 */
export class FrameCache {
  private readonly picked: number[] = [];
  private readonly frames = new Map<number | string, Buffer>();
  private readonly byProfile = new Map<string, Buffer | null>();
  private named: Set<string> | null = null;
  private whole: Buffer | null = null;

  constructor(readonly events: readonly StoredEvent[]) {}

  /** The frame of the events after seq `after` that `actor` may see; null when there are none. */
  forActor(actor: Actor, after: number): Buffer | null {
    if (this.events.length === 0) return null;
    // A socket that had some of these events already (during a replay) is decided event by event.
    if (this.events[0]!.event.seq <= after) return this.pick(actor, after);
    this.named ??= namedUsers(this.events);
    if (this.named.has(actor.userId)) return this.pick(actor, after);
    const key = profileOf(actor);
    let frame = this.byProfile.get(key);
    if (frame === undefined) {
      frame = this.pick(actor, after);
      this.byProfile.set(key, frame);
    }
    return frame;
  }

  private pick(actor: Actor, after: number): Buffer | null {
    const picked = this.picked;
    picked.length = 0;
    for (let i = 0; i < this.events.length; i++) {
      const e = this.events[i]!;
      if (e.event.seq > after && canReceive(actor, e.audience)) picked.push(i);
    }
    return picked.length > 0 ? this.get(picked) : null;
  }

  /** The frame of the events at `picked` (indexes, in order): every event (most sockets) found without a key. */
  private get(picked: readonly number[]): Buffer {
    if (picked.length === this.events.length) {
      this.whole ??= this.encode(picked);
      return this.whole;
    }
    let key: number | string;
    if (this.events.length <= MASK_BITS) {
      key = 0;
      for (const i of picked) key |= 1 << i;
    } else key = picked.join(",");
    let frame = this.frames.get(key);
    if (!frame) {
      frame = this.encode(picked);
      this.frames.set(key, frame);
    }
    return frame;
  }

  /** Events appended by this process carry their JSON already: the frame is put together from it. */
  private encode(picked: readonly number[]): Buffer {
    const events = picked.map((i) => this.events[i]!);
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
