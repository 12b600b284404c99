import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  briefReason,
  describeFailure,
  EgressRefused,
  egressFetch,
  egressPolicy,
  egressPost,
  embeddedIpv4,
  parseAllowList,
  readText,
  refusalOf,
} from "./egress";

describe("address classifier", () => {
  it.each([
    "127.0.0.1",
    "127.0.0.2",
    "10.0.0.1",
    "172.16.5.4",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "::",
    "::1",
    "0:0:0:0:0:0:0:1",
    "fe80::1",
    "fe80::1%eth0",
    "febf::1",
    "fc00::1",
    "fd12:3456::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.1.2.3",
    "::ffff:169.254.169.254",
    "::ffff:a9fe:a9fe",
    "0:0:0:0:0:ffff:c0a8:0101",
    "::127.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::10.0.0.1",
    "2002:7f00:1::1",
    "2002:a9fe:a9fe::",
  ])("refuses %s", (a) => {
    expect(refusalOf(a)).not.toBeNull();
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "169.255.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200a",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
  ])("lets %s through", (a) => {
    expect(refusalOf(a)).toBeNull();
  });

  it("finds the IPv4 address inside IPv6 forms", () => {
    expect(embeddedIpv4("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(embeddedIpv4("::ffff:192.168.0.1")).toBe("192.168.0.1");
    expect(embeddedIpv4("64:ff9b::a00:1")).toBe("10.0.0.1");
    expect(embeddedIpv4("2002:c0a8:101::")).toBe("192.168.1.1");
    expect(embeddedIpv4("2606:4700::1111")).toBeNull();
    expect(embeddedIpv4("::1")).toBeNull();
  });

  it("lets allowed ranges through, never the metadata services", () => {
    const allow = parseAllowList("127.0.0.1/32, fd00::/8, 169.254.0.0/16");
    expect(refusalOf("127.0.0.1", allow)).toBeNull();
    expect(refusalOf("::ffff:127.0.0.1", allow)).toBeNull();
    expect(refusalOf("127.0.0.2", allow)).toMatch(/not a public address/);
    expect(refusalOf("::1", allow)).toMatch(/not a public address/);
    expect(refusalOf("fd00::5", allow)).toBeNull();
    expect(refusalOf("169.254.1.1", allow)).toBeNull();
    expect(refusalOf("169.254.169.254", allow)).toMatch(/metadata/);
    expect(refusalOf("::ffff:169.254.169.254", allow)).toMatch(/metadata/);
    expect(refusalOf("fd00:ec2::254", allow)).toMatch(/metadata/);
  });

  it("reads EGRESS_ALLOW and names a bad entry", () => {
    expect(parseAllowList(" ")).toBeNull();
    expect(parseAllowList("::1")!.check("::1", "ipv6")).toBe(true);
    expect(() => parseAllowList("127.0.0.1/33")).toThrow(/127.0.0.1\/33/);
    expect(() => parseAllowList("localhost")).toThrow(/localhost/);
    expect(() => parseAllowList("10.0.0.0/8/1")).toThrow();
  });
});

describe("briefReason", () => {
  it("keeps a short JSON reason without control characters, never the body", () => {
    expect(briefReason('{"error":"bad\\u0000 recipient\\n\\u001b[31m"}')).toBe("bad recipient [31m");
    expect(briefReason('{"error":{"message":"token expired"}}')).toBe("token expired");
    expect(briefReason("<html>secret metadata</html>")).toBeNull();
    expect(briefReason(JSON.stringify({ message: "x".repeat(500) }))!.length).toBe(200);
  });
});

describe("egressFetch", () => {
  let server: http.Server;
  let port = 0;
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      if (req.url === "/echo") {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
          res.writeHead(201, { "content-type": "text/plain" });
          res.end(
            `${req.headers["content-length"]}:${req.headers["transfer-encoding"] ?? "-"}:${Buffer.concat(chunks)}:${req.socket.remotePort}`,
          );
        });
        return;
      }
      if (req.url === "/never") return; // no answer at all
      const m = req.url?.match(/^\/to\/(.+)$/);
      if (m) {
        res.writeHead(302, { location: decodeURIComponent(m[1]!) });
        res.end();
        return;
      }
      if (req.url === "/phrase") {
        res.writeHead(403, "metadata: secret-token-123", { "content-type": "text/plain" });
        res.end("y".repeat(200_000));
        return;
      }
      if (req.url === "/loop") {
        res.writeHead(307, { location: "/loop" });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  const allowed = egressPolicy({ EGRESS_ALLOW: "127.0.0.1/32" });
  const strict = egressPolicy({});

  const refused = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EgressRefused);
    return (err as EgressRefused).reason;
  };

  it("reaches an allowed address", async () => {
    const res = await egressFetch(allowed, `http://127.0.0.1:${port}/hello`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("GET /hello -");
  });

  it("refuses loopback, private and metadata addresses before connecting", async () => {
    const before = hits.length;
    expect(await refused(egressFetch(strict, `http://127.0.0.1:${port}/x`))).toMatch(/127.0.0.1/);
    expect(await refused(egressFetch(strict, `http://[::ffff:127.0.0.1]:${port}/x`))).toMatch(/not a public/);
    expect(await refused(egressFetch(allowed, "http://10.0.0.1/"))).toMatch(/10.0.0.1/);
    expect(await refused(egressFetch(allowed, "http://169.254.169.254/latest/meta-data/"))).toMatch(
      /metadata/,
    );
    expect(await refused(egressFetch(allowed, "http://[fd00:ec2::254]/"))).toMatch(/metadata/);
    expect(await refused(egressFetch(allowed, "http://metadata.google.internal/"))).toMatch(/metadata/);
    // 2130706433 is 127.0.0.1 written as one number; URL parsing normalises it.
    expect(await refused(egressFetch(strict, `http://2130706433:${port}/`))).toMatch(/127.0.0.1/);
    expect(await refused(egressFetch(allowed, "file:///etc/passwd"))).toMatch(/file URLs are not allowed/);
    expect(await refused(egressFetch(allowed, `http://127.0.0.1:${port}/`, { httpsOnly: true }))).toMatch(
      /only https/,
    );
    expect(hits.length).toBe(before);
  });

  it("refuses a name that resolves to loopback, at the socket's own look-up", async () => {
    const before = hits.length;
    // The name is not special-cased: the resolver's answer is what gets refused.
    expect(await refused(egressFetch(strict, `http://localhost:${port}/x`))).toMatch(
      /^localhost: (127\.0\.0\.1|::1) is not a public address$/,
    );
    expect(hits.length).toBe(before);
    // With loopback allowed, the same name is connected to its permitted address only.
    const res = await egressFetch(allowed, `http://localhost:${port}/named`);
    expect(await res.text()).toBe("GET /named -");
  });

  it("keeps the standard status phrase, not the server's, and reads at most a capped body", async () => {
    const res = await egressFetch(allowed, `http://127.0.0.1:${port}/phrase`);
    expect(res.status).toBe(403);
    expect(res.statusText).toBe("Forbidden");
    expect(await readText(res, 1000)).toBe("y".repeat(1000));
  });

  it("re-checks every redirect and keeps a hop limit", async () => {
    const to = (target: string) => `http://127.0.0.1:${port}/to/${encodeURIComponent(target)}`;
    const ok = await egressFetch(allowed, to(`http://127.0.0.1:${port}/landed`), {
      headers: { authorization: "Bearer x" },
    });
    expect(await ok.text()).toBe("GET /landed Bearer x");
    // Another origin does not get the credentials.
    const away = await egressFetch(allowed, to(`http://localhost:${port}/away`), {
      headers: { authorization: "Bearer x" },
    });
    expect(await away.text()).toBe("GET /away -");
    const before = hits.length;
    expect(await refused(egressFetch(allowed, to(`http://127.0.0.2:${port}/inside`)))).toMatch(/127.0.0.2/);
    expect(await refused(egressFetch(allowed, to(`http://[::1]:${port}/inside`)))).toMatch(/::1/);
    expect(await refused(egressFetch(allowed, to("http://169.254.169.254/")))).toMatch(/metadata/);
    // Each refused chain reached the redirecting hop only.
    expect(hits.slice(before).every((h) => h.startsWith("/to/"))).toBe(true);
    expect(await refused(egressFetch(allowed, `http://127.0.0.1:${port}/loop`, { maxRedirects: 3 }))).toMatch(
      /more than 3 redirects/,
    );
  });

  describe("egressPost", () => {
    const post = (url: string, body = "{}", timeoutMs = 10_000) =>
      egressPost(allowed, url, {
        headers: { "content-type": "application/json" },
        body,
        timeoutMs,
        excerptBytes: 64,
      });

    it("sends the body with its length over a kept-alive connection, and answers status and excerpt", async () => {
      const one = await post(`http://127.0.0.1:${port}/echo`, '{"a":"ü"}');
      const two = await post(`http://127.0.0.1:${port}/echo`, '{"b":2}');
      expect(one).toMatchObject({ status: 201, excerpt: expect.stringMatching(/^10:-:\{"a":"ü"\}:\d+$/) });
      expect(two).toMatchObject({ status: 201, excerpt: expect.stringMatching(/^7:-:\{"b":2\}:\d+$/) });
      // The second request went over the first one's connection (the same client port).
      expect(two.excerpt.split(":").pop()).toBe(one.excerpt.split(":").pop());
    });

    it("keeps only the excerpt of a long answer, and the next request still gets through", async () => {
      const long = await post(`http://127.0.0.1:${port}/phrase`);
      expect(long).toEqual({ status: 403, excerpt: "y".repeat(64) });
      expect((await post(`http://127.0.0.1:${port}/echo`, "x")).excerpt).toMatch(/^1:-:x:\d+$/);
    });

    it("is guarded like egressFetch: internal addresses and redirects to them are refused", async () => {
      const before = hits.length;
      expect(
        await refused(
          egressPost(strict, `http://127.0.0.1:${port}/echo`, {
            headers: {},
            body: "",
            timeoutMs: 1000,
            excerptBytes: 10,
          }),
        ),
      ).toMatch(/127.0.0.1/);
      expect(hits.length).toBe(before);
      const to = (target: string) => `http://127.0.0.1:${port}/to/${encodeURIComponent(target)}`;
      expect(await refused(post(to("http://10.0.0.1/admin")))).toMatch(/10.0.0.1/);
      expect(await refused(post(to("http://169.254.169.254/")))).toMatch(/metadata/);
      expect(hits.slice(before).every((h) => h.startsWith("/to/"))).toBe(true);
    });

    it("ends an unanswered request at its deadline", async () => {
      const err = await post(`http://127.0.0.1:${port}/never`, "{}", 300).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: "TimeoutError" });
      expect(describeFailure(err)).toBe("the request timed out");
    });
  });
});
