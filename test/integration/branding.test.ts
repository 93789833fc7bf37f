/**
 * Issue 16, item 6: an admin sets the organisation's name, logo, colour, links and support address
 * (CSRF, audited); the public pages (header, footer, titles, error pages) show it at once — the
 * response cache drops its copies — and so do notice emails (sender name, header, footer). Nobody
 * else may change it, and unsafe links are refused with a message that says why.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer, untilPublicStateKnown } from "../support/server";

const PASSWORD = "branding-password-123";
let server: RunningServer;
let admin: AdminClient;
let editor: AdminClient;
let mailUrl: string;
const env = () => ({ DATABASE_URL: server.databaseUrl, NODE_ENV: "test", LOG_LEVEL: "warn" });

type Captured = { from: string; to: string[]; subject: string; text: string; html: string };
const captured = async () =>
  ((await (await fetch(`${mailUrl}/_mail/messages`)).json()) as { data: Captured[] }).data;

const BRANDING = {
  organisationName: "Acme Datenschutz GmbH",
  accentColour: "#1d4ed8",
  contactUrl: "https://acme.example/contact",
  imprintUrl: "https://acme.example/impressum",
  supportEmail: "privacy@acme.example",
};

// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

beforeAll(async () => {
  server = await startServer({ SEND_RATE_PER_SECOND: "50" });
  for (let i = 0; i < 400 && !/API (http:\/\/127\.0\.0\.1:\d+)\/_mail/.test(server.output()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const mail = /API (http:\/\/127\.0\.0\.1:\d+)\/_mail/.exec(server.output());
  expect(mail, server.output()).not.toBeNull();
  mailUrl = mail![1];
  for (const [email, role] of [
    ["admin@example.com", "admin"],
    ["editor@example.com", "editor"],
  ]) {
    expect((await redline(["user", "add", email, "--role", role, "--password", PASSWORD], env())).code).toBe(
      0,
    );
  }
  admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
  editor = new AdminClient(server.url);
  expect((await editor.signIn("editor@example.com", PASSWORD)).status).toBe(302);
});
afterAll(() => server?.stop());

describe("branding settings", () => {
  it("are refused to anyone but an admin, and a form without the CSRF token changes nothing", async () => {
    expect((await editor.get("/admin/branding")).status).toBe(403);
    expect((await editor.post("/admin/branding", BRANDING)).status).toBe(403);
    expect((await admin.post("/admin/branding", BRANDING, { csrf: false })).status).toBe(403);
    expect(
      (await admin.post("/admin/branding", { ...BRANDING, csrf: "forged" }, { csrf: false })).status,
    ).toBe(403);
    expect(await (await get("/policies/privacy")).text()).not.toContain(BRANDING.organisationName);
  });

  it("refuse a javascript: link and a pale colour, saying why, and save nothing", async () => {
    const refused = await admin.post("/admin/branding", {
      ...BRANDING,
      contactUrl: "javascript:alert(document.cookie)",
      accentColour: "#ffcc00",
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain("The contact link must start with https:// or mailto:, not javascript:");
    expect(page).toContain("The accent colour #ffcc00 has a contrast of 1.5:1 against white");
    expect(await (await get("/policies/privacy")).text()).not.toContain(BRANDING.organisationName);
  });

  it("show on the public pages at once: header, title, footer links and error pages", async () => {
    await untilPublicStateKnown(server.url, "privacy");
    await get("/policies/privacy");
    const before = await get("/policies/privacy");
    expect(before.headers.get("x-cache")).toBe("hit");

    const saved = await admin.post("/admin/branding", {
      ...BRANDING,
      logoAction: "upload",
      logoData: PNG.toString("base64"),
    });
    expect(saved.status).toBe(200);

    let after = await get("/policies/privacy");
    // PostgreSQL: the notification reaches the listener a moment after the commit.
    for (let i = 0; i < 50 && after.headers.get("x-cache") === "hit"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await get("/policies/privacy");
    }
    expect(after.headers.get("x-cache")).not.toBe("hit");
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
    const html = await after.text();
    expect(html).toMatch(/<title>Privacy Policy — Acme Datenschutz GmbH<\/title>/);
    expect(html).toContain('class="public-home" href="/"');
    expect(html).toContain('href="https://acme.example/contact">Contact</a>');
    expect(html).toContain('href="https://acme.example/impressum">Imprint</a>');
    expect(html).toContain('href="mailto:privacy@acme.example">privacy@acme.example</a>');
    expect(html).toContain("--accent:#1d4ed8");
    const logo = /<img class="public-logo" src="(\/branding\/logo\/[\w-]+\.png)"/.exec(html)?.[1];
    expect(logo).toBeDefined();
    const image = await get(logo!);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("cache-control")).toContain("immutable");
    expect(Buffer.from(await image.arrayBuffer())).toEqual(PNG);

    const missing = await get("/policies/no-such-policy");
    expect(missing.status).toBe(404);
    const errorPage = await missing.text();
    expect(errorPage).toContain("<title>Page not found — Acme Datenschutz GmbH</title>");
    expect(errorPage).toContain('href="https://acme.example/impressum">Imprint</a>');

    const audit = await (await admin.get("/admin/audit")).text();
    expect(audit).toContain("branding.changed");
  });

  it("serve an uploaded SVG under a policy that runs no script, and refuse what is not an image", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    expect(
      (
        await admin.post("/admin/branding", {
          ...BRANDING,
          logoAction: "upload",
          logoData: Buffer.from(svg).toString("base64"),
        })
      ).status,
    ).toBe(200);
    const html = await (await get("/")).text();
    const logo = /src="(\/branding\/logo\/[\w-]+\.svg)"/.exec(html)?.[1];
    expect(logo).toBeDefined();
    const image = await get(logo!);
    expect(image.headers.get("content-type")).toBe("image/svg+xml");
    expect(image.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);

    const notImage = await admin.post("/admin/branding", {
      ...BRANDING,
      logoAction: "upload",
      logoData: Buffer.from("<html><script>alert(1)</script></html>").toString("base64"),
    });
    expect(notImage.status).toBe(400);
    expect(await notImage.text()).toContain("The logo must be a PNG, JPEG or SVG image.");
    const tooLarge = await admin.post("/admin/branding", {
      ...BRANDING,
      logoAction: "upload",
      logoData: Buffer.concat([PNG, Buffer.alloc(101 * 1024)]).toString("base64"),
    });
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain("The logo is larger than 100 KB");
  });

  it("sign and frame notice emails: sender name, header and footer", async () => {
    const key = (await redline(["apikey", "create", "branding"], env())).stdout.trim();
    const put = await fetch(`${server.url}/api/v1/subscribers/reader-1`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: "reader-1@example.test", name: "Robin" }),
    });
    expect(put.status).toBe(201);
    const file = join(mkdtempSync(join(tmpdir(), "branding-")), "privacy.md");
    writeFileSync(
      file,
      `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
    );
    expect((await redline(["import", "privacy", file], env())).code).toBe(0);
    const published = await redline(
      ["publish", "privacy", "--material", "--summary", "We now use Parcelpay.", "--notify", "email"],
      env(),
    );
    expect(published.code, published.stderr).toBe(0);
    let messages: Captured[] = [];
    for (let i = 0; i < 100 && messages.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      messages = await captured();
    }
    expect(messages).toHaveLength(1);
    const [email] = messages;
    expect(email.from).toMatch(/^Acme Datenschutz GmbH <[^<>]+@[^<>]+>$/);
    expect(email.html).toContain("Acme Datenschutz GmbH");
    expect(email.html).toMatch(/<img[^>]+src="http:\/\/127\.0\.0\.1:\d+\/branding\/logo\/[\w-]+\.svg"/);
    expect(email.html).toContain('href="https://acme.example/impressum"');
    expect(email.html).toContain("background-color:#1d4ed8");
    expect(email.text).toContain("privacy@acme.example");
    expect(email.text).toContain("Acme Datenschutz GmbH");
  });
});
