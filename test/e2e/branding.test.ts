/**
 * Branding in Debian's Chromium (issue 16, item 6): on the settings page the preview follows every
 * keystroke and a javascript: link or a pale colour is refused on the spot; after saving, the
 * public page wears the organisation's name, title, colour and footer links without a single
 * Content-Security-Policy violation, and the dashboard banner on the product's page names the
 * organisation in its colour.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../app/core/notify/user-token";
import { AdminClient } from "../support/admin-client";
import { launchBrowser } from "../support/browser";
import { freePort, type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "branding admin password 1";
let server: RunningServer;
let browser: Browser;
let host: Server;
let hostUrl: string;
let secret: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const port = await freePort();
  [server, browser] = await Promise.all([
    startServer({ PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }),
    launchBrowser(),
  ]);
  const env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: "warn" };
  expect(
    (await redline(["user", "add", "brand@example.com", "--role", "admin", "--password", PASSWORD], env))
      .code,
  ).toBe(0);
  const key = (await redline(["apikey", "create", "brand"], env)).stdout.trim();
  const put = await fetch(`${server.url}/api/v1/subscribers/dash-1`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "dash-1@example.test" }),
  });
  expect(put.status).toBe(201);
  const file = join(mkdtempSync(join(tmpdir(), "branding-")), "privacy.md");
  writeFileSync(
    file,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
  );
  expect((await redline(["import", "privacy", file], env)).code).toBe(0);
  const published = await redline(
    ["publish", "privacy", "--material", "--summary", "We now use Parcelpay.", "--notify", "dashboard"],
    env,
  );
  expect(published.code, published.stderr).toBe(0);

  host = createServer((req, res) => {
    const token = mintUserToken({ secret, externalId: (req.url ?? "").split("/")[2] ?? "", now: Date.now() });
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard</title></head>
<body><main><h1>Dashboard</h1><script src="${server.url}/embed/notices.js" data-token="${token}"></script></main></body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const admin = new AdminClient(server.url);
  expect((await admin.signIn("brand@example.com", PASSWORD)).status).toBe(302);
  const created = await admin.post("/admin/embed", { intent: "rotate-secret" });
  secret = /data-testid="embed-secret">(rls_[A-Za-z0-9_-]+)</.exec(await created.text())![1];
  expect((await admin.post("/admin/embed", { intent: "add-origin", origin: hostUrl })).status).toBe(200);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  if (host) await new Promise((resolve) => host.close(resolve));
  await server?.stop();
});

/** A page that records Content-Security-Policy violations (events and console messages). */
async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const violations: string[] = [];
  await context.exposeBinding("reportViolation", (_source, text: string) => {
    violations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(
        `${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  return { page, violations };
}

describe("branding", () => {
  it("previews as the admin types, refuses a javascript: link and a pale colour on the spot, and saves", async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${server.url}/admin/login`);
    await page.getByLabel("Email").fill("brand@example.com");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/admin`);
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("main").getByRole("link", { name: "Branding" }).click();
    await page.waitForURL(`${server.url}/admin/branding`);

    await page.getByLabel("Organisation name").fill("Acme Datenschutz GmbH");
    const preview = page.getByTestId("preview-page");
    expect(await preview.textContent()).toContain("Privacy Policy — Acme Datenschutz GmbH");
    expect(await page.getByTestId("preview-email").textContent()).toContain("From: Acme Datenschutz GmbH");
    expect(await page.getByTestId("preview-banner").textContent()).toContain("Acme Datenschutz GmbH");

    await page.getByLabel("Accent colour", { exact: true }).fill("#ffcc00");
    expect(await page.getByRole("alert").first().textContent()).toContain("contrast of 1.5:1 against white");
    await page.getByLabel("Accent colour", { exact: true }).fill("#1d4ed8");
    const button = page.getByTestId("preview-email").locator(".preview-button");
    expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(29, 78, 216)");

    await page.getByLabel("Contact link").fill("javascript:alert(1)");
    expect(await page.getByRole("alert").first().textContent()).toContain(
      "The contact link must start with https:// or mailto:, not javascript:",
    );
    // Sent anyway (as a script would): the server refuses it with the same reason.
    await page.getByRole("button", { name: "Save branding" }).click();
    await page.getByText("The branding was not saved").waitFor();

    await page.getByLabel("Contact link").fill("https://acme.example/contact");
    await page.getByLabel("Imprint link").fill("https://acme.example/impressum");
    await page.getByLabel("Support address").fill("privacy@acme.example");
    await page.getByRole("button", { name: "Save branding" }).click();
    await page.getByText("Branding saved.").waitFor();
    expect(violations).toEqual([]);
  });

  it("frames the public page: header, title, accent colour and footer links, within the page's policy", async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${server.url}/policies/privacy`);
    expect(await page.title()).toBe("Privacy Policy — Acme Datenschutz GmbH");
    expect(await page.getByRole("banner").getByRole("link").first().textContent()).toBe(
      "Acme Datenschutz GmbH",
    );
    const footer = page.getByRole("contentinfo");
    expect(await footer.getByRole("link", { name: "Imprint" }).getAttribute("href")).toBe(
      "https://acme.example/impressum",
    );
    expect(await footer.getByRole("link", { name: "privacy@acme.example" }).getAttribute("href")).toBe(
      "mailto:privacy@acme.example",
    );
    expect(
      await footer.getByRole("link", { name: "All versions" }).evaluate((el) => getComputedStyle(el).color),
    ).toBe("rgb(29, 78, 216)");
    await page.goto(`${server.url}/policies/no-such-policy`);
    expect(await page.title()).toBe("Page not found — Acme Datenschutz GmbH");
    expect(violations).toEqual([]);
  });

  it("names the organisation in the dashboard banner, in its colour", async () => {
    const { page } = await watchedPage();
    await page.goto(`${hostUrl}/user/dash-1`);
    const banner = page.locator(".redline-notices");
    await banner.getByRole("article").waitFor();
    expect(await banner.locator(".organisation").textContent()).toBe("Acme Datenschutz GmbH");
    expect(await banner.getByRole("region").getAttribute("aria-label")).toBe(
      "Policy updates: Acme Datenschutz GmbH",
    );
    expect(
      await banner
        .getByRole("button", { name: "Dismiss" })
        .evaluate((el) => getComputedStyle(el).backgroundColor),
    ).toBe("rgb(29, 78, 216)");
  });
});
