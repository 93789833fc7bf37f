/**
 * Security headers over real HTTP (ADR 15): the workspace's nonce-based policy, no-store and
 * frame-ancestors; the public pages' script-less policy, the same on answers the response cache
 * replays; nosniff and referrer policies everywhere; HSTS only when the public address is https.
 * The policies' behaviour in a browser is checked in test/e2e/content-security-policy.test.ts.
 */
import { Resend } from "resend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer, untilPublicStateKnown } from "../support/server";

const PASSWORD = "headers password 1";

let server: RunningServer;
let plainHttp: RunningServer;
let admin: AdminClient;

beforeAll(async () => {
  // Reached over http here, but known to the world by an https address: HSTS is due.
  [server, plainHttp] = await Promise.all([
    startServer({ PUBLIC_BASE_URL: "https://policies.example.test" }),
    startServer(),
  ]);
  const added = await redline(
    ["user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD],
    { DATABASE_URL: server.databaseUrl },
  );
  expect(added.code).toBe(0);
  admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
});
afterAll(async () => {
  await Promise.all([server?.stop(), plainHttp?.stop()]);
});

/** A Content-Security-Policy as a map of directive → its sources. */
function directives(policy: string | null): Map<string, string[]> {
  expect(policy).toBeTruthy();
  return new Map(
    policy!
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name, sources]),
  );
}

const SECURITY_HEADERS = [
  "content-security-policy",
  "x-content-type-options",
  "referrer-policy",
  "strict-transport-security",
];

describe("the public pages' headers", () => {
  it("forbid every script and send nosniff, a referrer policy and HSTS", async () => {
    const response = await fetch(`${server.url}/policies/privacy`);
    expect(response.status).toBe(200);
    const policy = directives(response.headers.get("content-security-policy"));
    expect(policy.get("default-src")).toEqual(["'none'"]);
    expect(policy.has("script-src")).toBe(false);
    expect(policy.get("style-src")).toEqual(["'self'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect(await response.text()).not.toContain("<script");
  });

  it("are the same on a page the response cache replays", async () => {
    await untilPublicStateKnown(server.url, "privacy");
    const miss = await fetch(`${server.url}/policies/privacy/versions/1`);
    const hit = await fetch(`${server.url}/policies/privacy/versions/1`);
    expect([miss.headers.get("x-cache"), hit.headers.get("x-cache")]).toEqual(["miss", "hit"]);
    for (const name of SECURITY_HEADERS) {
      expect(hit.headers.get(name), name).toBe(miss.headers.get(name));
      expect(hit.headers.get(name), name).toBeTruthy();
    }
    // A replay is a new answer: its own request id, not the stored one.
    expect(hit.headers.get("x-request-id")).not.toBe(miss.headers.get("x-request-id"));
  });

  it("leave the JSON API, the feed and the embed script readable from other sites", async () => {
    for (const path of ["/api/v1/policies/privacy", "/policies/privacy/feed.atom", "/embed/policy.js"]) {
      const response = await fetch(`${server.url}${path}`, { headers: { Origin: "https://shop.example" } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(response.headers.get("cross-origin-resource-policy"), path).toBeNull();
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  it("carry no HSTS when the public address is plain http", async () => {
    const response = await fetch(`${plainHttp.url}/policies/privacy`);
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("the workspace's headers", () => {
  it("allow only scripts with this answer's nonce, and the nonce is on Remix's scripts", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/admin/login`);
      const policy = directives(response.headers.get("content-security-policy"));
      const scriptSources = policy.get("script-src") ?? [];
      const nonce = /^'nonce-([A-Za-z0-9+/=]{22,})'$/.exec(scriptSources[0] ?? "")?.[1];
      expect(nonce).toBeTruthy();
      expect(scriptSources).toEqual([`'nonce-${nonce}'`, "'strict-dynamic'"]);
      expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
      expect(policy.get("default-src")).toEqual(["'none'"]);
      expect(policy.get("style-src")).toEqual(["'self'"]);
      expect(policy.get("base-uri")).toEqual(["'none'"]);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const html = await response.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
      nonces.add(nonce!);
    }
    expect(nonces.size).toBe(2);
  });

  it("keep pages and their data requests out of every cache", async () => {
    for (const path of ["/admin", "/admin/documents", "/admin/documents.data", "/admin/audit"]) {
      const response = await admin.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control"), path).toBe("no-store");
      expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=31536000");
      expect(response.headers.get("x-cache"), path).toBeNull();
    }
  });

  it("frame a captured email under a policy of its own: inline styles, no script, only inside the workspace", async () => {
    const captureApi = /— API (http:\/\/127\.0\.0\.1:\d+)\/_mail\/messages/.exec(server.output())?.[1];
    expect(captureApi, server.output()).toBeTruthy();
    const { data } = await new Resend("re_test", { baseUrl: captureApi }).emails.send({
      from: "Redline <notices@example.test>",
      to: "reader@example.test",
      subject: "We are updating our Privacy Policy",
      html: '<p style="color: #b42318">What changes</p><script>alert(1)</script>',
      text: "What changes",
    });
    const page = await (await admin.get(`/admin/notices/mail?id=${data!.id}`)).text();
    expect(page).toContain(`src="/admin/notices/mail/${data!.id}/html"`);
    expect(page).not.toContain("srcdoc");

    const preview = await admin.get(`/admin/notices/mail/${data!.id}/html`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const policy = directives(preview.headers.get("content-security-policy"));
    expect(policy.get("default-src")).toEqual(["'none'"]);
    expect(policy.get("style-src")).toEqual(["'unsafe-inline'"]);
    expect(policy.has("script-src")).toBe(false);
    expect(policy.has("sandbox")).toBe(true);
    expect(policy.get("frame-ancestors")).toEqual(["'self'"]);
    expect(preview.headers.get("cache-control")).toBe("no-store");
    expect(await preview.text()).toContain('<p style="color: #b42318">What changes</p>');
  });
});
