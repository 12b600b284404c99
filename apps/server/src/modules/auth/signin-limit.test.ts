import { describe, expect, it } from "vitest";
import { MovableClock } from "../../lib/time";
import { PASSWORD, unique } from "../../testing/harness";
import { useTestServer } from "../../testing/use-test-server";
import { setupWorkspace } from "./setup-workspace";

/** A clock the tests move forward instead of waiting for the windows to pass. */
const clock = new MovableClock();
// SIGNIN_RATE_LIMIT is 5 in tests; addresses come from X-Forwarded-For.
const t = useTestServer({ clock, env: { TRUST_PROXY: "true" } });

let addresses = 0;
const newAddress = () => `203.0.113.${++addresses}`;

async function attempt(ip: string, email: string, password: string) {
  const res = await fetch(`${t.url}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, body, retryAfter: res.headers.get("retry-after") };
}

async function newUser() {
  const email = `${unique("limited")}@example.com`;
  await setupWorkspace(
    t.server.ctx,
    { workspaceName: unique("ws"), name: "Owner", email, password: PASSWORD },
    { onlyIfEmpty: false },
  );
  return email;
}

describe("sign-in limits", () => {
  it("never counts successful sign-ins: twenty in a row from one address all succeed", async () => {
    const email = await newUser();
    const ip = newAddress();
    for (let i = 1; i <= 20; i++)
      expect((await attempt(ip, email, PASSWORD)).status, `sign-in ${i}`).toBe(200);
  });

  it("slows one address down for one account, while the right password from another address works at once", async () => {
    const email = await newUser();
    const attacker = newAddress();
    for (let i = 1; i <= 5; i++)
      expect((await attempt(attacker, email, `wrong ${i}`)).status, `attempt ${i}`).toBe(401);
    // After five failures the attacker's address waits a second, then two, …: slowed, not locked.
    const slowed = await attempt(attacker, email, "wrong 6");
    expect(slowed.status).toBe(429);
    expect(slowed.retryAfter).toBe("1");
    expect(slowed.body.error).toMatchObject({ code: "rate_limited" });
    expect(slowed.body.error!.message).toMatch(/Try again in 1 seconds/);
    clock.advance(1000);
    expect((await attempt(attacker, email, "wrong 6")).status).toBe(401);
    expect((await attempt(attacker, email, "wrong 7")).retryAfter).toBe("2");

    // The real user, elsewhere, is not affected.
    expect((await attempt(newAddress(), email, PASSWORD)).status).toBe(200);
    // Wrong passwords for other accounts from the attacker's address are still checked.
    expect((await attempt(attacker, await newUser(), "wrong")).status).toBe(401);
  });

  it("spaces the attempts on an account tried from many addresses, and lets the right password through after the wait", async () => {
    const email = await newUser();
    for (let i = 1; i <= 10; i++)
      expect((await attempt(newAddress(), email, `wrong ${i}`)).status, `attempt ${i}`).toBe(401);
    const spaced = await attempt(newAddress(), email, PASSWORD);
    expect(spaced.status).toBe(429);
    expect(spaced.retryAfter).toBe("1");
    clock.advance(1000);
    expect((await attempt(newAddress(), email, PASSWORD)).status).toBe(200);
    // The success clears the account's failures.
    expect((await attempt(newAddress(), email, "wrong again")).status).toBe(401);
    expect((await attempt(newAddress(), email, PASSWORD)).status).toBe(200);
  });

  it("caps one address across many accounts with 429 and Retry-After, until the window passes", async () => {
    const ip = newAddress();
    const real = await newUser();
    for (let i = 1; i <= 25; i++) {
      const r = await attempt(ip, `${unique("guess")}@example.com`, "wrong");
      expect(r.status, `attempt ${i}`).toBe(401);
    }
    const capped = await attempt(ip, real, PASSWORD);
    expect(capped.status).toBe(429);
    expect(Number(capped.retryAfter)).toBeGreaterThan(14 * 60);
    expect(Number(capped.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect((await attempt(newAddress(), real, PASSWORD)).status).toBe(200);
    clock.advance(15 * 60_000 + 1000);
    expect((await attempt(ip, real, PASSWORD)).status).toBe(200);
  });
});
