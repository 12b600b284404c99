import { describe, expect, it } from "vitest";
import { profileLink } from "./profile-links";

describe("profile links", () => {
  it("links Telegram and Instagram usernames and WhatsApp numbers", () => {
    expect(profileLink("telegram", { externalId: "123456789", nickname: "anna_petrova" })).toBe(
      "https://t.me/anna_petrova",
    );
    expect(profileLink("telegram", { externalId: "1", nickname: "@anna_petrova" })).toBe(
      "https://t.me/anna_petrova",
    );
    expect(profileLink("instagram", { externalId: "178414", nickname: "shop.lover_1" })).toBe(
      "https://instagram.com/shop.lover_1",
    );
    expect(profileLink("whatsapp", { externalId: "4915112345678", nickname: null })).toBe(
      "https://wa.me/4915112345678",
    );
  });

  it("gives no link where the network has no profile address or the field is not what the network allows", () => {
    for (const type of ["viber", "messenger", "sms", "email", "widget", "api", "line", "wechat"] as const)
      expect(profileLink(type, { externalId: "4915112345678", nickname: "anna_petrova" }), type).toBeNull();
    expect(profileLink("telegram", { externalId: "1", nickname: null })).toBeNull();
    expect(profileLink("telegram", { externalId: "1", nickname: "ab" })).toBeNull();
    expect(profileLink("telegram", { externalId: "1", nickname: "evil.com/x" })).toBeNull();
    expect(profileLink("telegram", { externalId: "1", nickname: "javascript:alert(1)" })).toBeNull();
    expect(profileLink("instagram", { externalId: "1", nickname: "a b" })).toBeNull();
    expect(profileLink("instagram", { externalId: "1", nickname: "..." })).toBeNull();
    expect(profileLink("instagram", { externalId: "1", nickname: "x".repeat(31) })).toBeNull();
    expect(profileLink("whatsapp", { externalId: "group-123", nickname: null })).toBeNull();
    expect(profileLink("whatsapp", { externalId: "0123", nickname: null })).toBeNull();
  });
});
