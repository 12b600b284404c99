import { Api, errors, helpers, TelegramClient } from "telegram";
import { StringSession } from "telegram/sessions";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../../testing/fakes/telegram-user-fixtures";
import { MtprotoError, type TlObject } from "./boundary";
import { envelopeOf, GramjsClient, gramjsMtproto, sentMessageId, toMtprotoError } from "./gramjs";
import { mapUpdates } from "./updates";

/** Fields GramJS holds as big integers (`long` in the TL schema); the fixtures write longs as strings. */
const LONGS = new Set(["id", "userId", "accessHash", "chatId", "size"]);

/** A recorded fixture rebuilt as the real GramJS class of each object (`Api.<className>`). */
function revive(value: unknown, key = ""): unknown {
  if (Array.isArray(value))
    return key === "fileReference" ? Buffer.from(value as number[]) : value.map((v) => revive(v));
  if (value && typeof value === "object") {
    const { className, ...fields } = value as TlObject;
    const args = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, revive(v, k)]));
    const Cls = (Api as unknown as Record<string, new (a: unknown) => unknown>)[className];
    if (!Cls) throw new Error(`GramJS has no Api.${className}`);
    return new Cls(args);
  }
  if (LONGS.has(key) && typeof value === "string") return helpers.returnBigInt(value);
  return value;
}

describe("the GramJS boundary with the real library's classes (no network)", () => {
  it("every recorded update, rebuilt as GramJS objects, maps as the recorded shape does", () => {
    for (const [name, fixture] of Object.entries(FIXTURES)) {
      const real = revive(fixture) as TlObject;
      expect(real.className, name).toBe(fixture.className);
      expect(real).toBeInstanceOf((Api as unknown as Record<string, new () => unknown>)[fixture.className]);
      expect(mapUpdates(real), name).toEqual(mapUpdates(fixture));
    }
  });

  it("GramJS's raw handler gets each update alone, with the container's users: they are put back together", () => {
    const container = revive(FIXTURES.newMessage) as Api.Updates;
    const single = container.updates[0] as unknown as TlObject & { _entities?: Map<string, unknown> };
    single._entities = new Map(container.users.map((u) => [String((u as Api.User).id), u]));
    expect(mapUpdates(envelopeOf(single))).toEqual(mapUpdates(FIXTURES.newMessage));
    const short = revive(FIXTURES.shortMessage) as TlObject;
    expect(envelopeOf(short)).toBe(short);
  });

  it("GramJS's errors become Telegram's codes; flood waits keep their seconds", () => {
    const flood = toMtprotoError(new errors.FloodWaitError({ capture: 42, request: undefined }));
    expect(flood).toBeInstanceOf(MtprotoError);
    expect(flood).toMatchObject({ code: "FLOOD_WAIT", seconds: 42 });
    for (const code of [
      "PHONE_CODE_EXPIRED",
      "PHONE_CODE_INVALID",
      "PASSWORD_HASH_INVALID",
      "AUTH_KEY_UNREGISTERED",
      "SESSION_PASSWORD_NEEDED",
    ])
      expect(toMtprotoError(new errors.RPCError(code, undefined as never, 400))).toMatchObject({
        code,
        seconds: null,
      });
    const network = new Error("socket closed");
    expect(toMtprotoError(network)).toBe(network);
  });

  it("the id of a sent message from each shape of Telegram's answer", () => {
    expect(sentMessageId(new Api.UpdateShortSentMessage({ id: 77, pts: 1, ptsCount: 1, date: 0 }), "5")).toBe(
      77,
    );
    const answer = new Api.Updates({
      updates: [
        new Api.UpdateMessageID({ id: 78, randomId: helpers.returnBigInt("123") }),
        new Api.UpdateNewMessage({
          message: new Api.Message({
            id: 78,
            peerId: new Api.PeerUser({ userId: helpers.returnBigInt(5) }),
            date: 0,
            message: "x",
          }),
          pts: 2,
          ptsCount: 1,
        }),
      ],
      users: [],
      chats: [],
      date: 0,
      seq: 0,
    });
    expect(sentMessageId(answer, "123")).toBe(78);
  });

  it("a real TelegramClient behind the boundary: its session string, unconnected", async () => {
    const client = new TelegramClient(new StringSession(""), 123456, "0123456789abcdef0123456789abcdef", {});
    const lib = await import("telegram");
    const boundary = new GramjsClient(client, lib, {
      apiId: 123456,
      apiHash: "0123456789abcdef0123456789abcdef",
    });
    expect(boundary.session()).toBe("");
    // The factory's client answers `session()` before the library is even loaded.
    const lazy = gramjsMtproto().create({
      apiId: 1,
      apiHash: "0123456789abcdef0123456789abcdef",
      session: "1AbC",
    });
    expect(lazy.session()).toBe("1AbC");
  });
});
