/**
 * The dashboard banner in Debian's Chromium, on a host page served from another origin: it shows
 * the pending notice in a shadow root, "What changed" opens the redline, "I acknowledge" (by keyboard)
 * acknowledges and removes it, and the acknowledgement appears in the workspace. An expired token
 * shows nothing.
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
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "banner admin password 1";
let server: RunningServer;
let browser: Browser;
let host: Server;
let hostUrl: string;
let secret: string;
let noticeId: number;
const contexts: BrowserContext[] = [];

/** The product's page: its backend mints the user token and puts it on the script tag. */
function hostPage(token: string) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme dashboard</title>
<style>p { color: rgb(255, 0, 0); } button { background: rgb(0, 128, 0); } h2 { font-size: 64px; }</style>
</head><body>
<main>
  <h1>Acme dashboard</h1>
  <script src="${server.url}/embed/notices.js" data-token="${token}"></script>
  <p id="host-text">Your projects</p>
  <button id="host-button" type="button">New project</button>
</main>
</body></html>`;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  // Links in notices are built from PUBLIC_BASE_URL, so the server needs its real address up front.
  const port = await freePort();
  [server, browser] = await Promise.all([
    startServer({ PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }),
    launchBrowser(),
  ]);
  const env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: "warn" };
  expect(
    (await redline(["user", "add", "banner@example.com", "--role", "admin", "--password", PASSWORD], env))
      .code,
  ).toBe(0);
  const key = (await redline(["apikey", "create", "banner"], env)).stdout.trim();
  for (const id of ["dash-1", "dash-2", "dash-de"]) {
    const put = await fetch(`${server.url}/api/v1/subscribers/${id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: `${id}@example.test`, ...(id === "dash-de" ? { locale: "de" } : {}) }),
    });
    expect(put.status).toBe(201);
  }
  const file = join(mkdtempSync(join(tmpdir(), "banner-")), "privacy.md");
  writeFileSync(
    file,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay for card payments.\n`,
  );
  expect((await redline(["import", "privacy", file], env)).code).toBe(0);
  const published = await redline(
    [
      "publish",
      "privacy",
      "--material",
      "--summary",
      "We now use Parcelpay for card payments.",
      "--notify",
      "dashboard",
      "--require-ack",
      "--format",
      "json",
    ],
    env,
  );
  expect(published.code, published.stderr).toBe(0);
  noticeId = JSON.parse(published.stdout).notices[0].id;

  host = createServer((req, res) => {
    const [, kind, externalId] = (req.url ?? "").split("/");
    const now = kind === "expired" ? Date.now() - 2 * 3600_000 : Date.now();
    const token = mintUserToken({ secret, externalId: externalId ?? "", now });
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(hostPage(token));
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;

  // The admin creates the embed secret and allows the host page's origin.
  const admin = new AdminClient(server.url);
  expect((await admin.signIn("banner@example.com", PASSWORD)).status).toBe(302);
  const created = await admin.post("/admin/embed", { intent: "rotate-secret" });
  secret = /data-testid="embed-secret">(rls_[A-Za-z0-9_-]+)</.exec(await created.text())![1];
  expect((await admin.post("/admin/embed", { intent: "add-origin", origin: hostUrl })).status).toBe(200);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
  await server?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  contexts.push(context);
  return context.newPage();
}

const banner = (page: Page) => page.locator(".redline-notices");

describe("the dashboard banner", () => {
  it("shows the pending notice inside a shadow root, untouched by the page's styles and not touching them", async () => {
    const page = await newPage();
    await page.goto(`${hostUrl}/user/dash-1`);
    const notice = banner(page).getByRole("article");
    await notice.waitFor();
    expect(await notice.getByRole("heading").textContent()).toBe("Privacy Policy updated");
    expect(await notice.locator(".summary").textContent()).toBe("We now use Parcelpay for card payments.");
    expect(await notice.locator(".dates").textContent()).toMatch(/^Takes effect on \d{1,2} \w+ \d{4}\.$/);
    // Only in the shadow root: the page's own DOM has no notice markup.
    expect(await page.evaluate(() => document.querySelectorAll(".notice, .got-it").length)).toBe(0);
    const styles = await page.evaluate(() => {
      const root = document.querySelector(".redline-notices")!.shadowRoot!;
      return {
        summary: getComputedStyle(root.querySelector(".summary")!).color,
        title: getComputedStyle(root.querySelector(".title")!).fontSize,
        hostText: getComputedStyle(document.getElementById("host-text")!).color,
        hostButton: getComputedStyle(document.getElementById("host-button")!).backgroundColor,
      };
    });
    expect(styles.summary).not.toBe("rgb(255, 0, 0)");
    expect(styles.title).not.toBe("64px");
    expect(styles.hostText).toBe("rgb(255, 0, 0)");
    expect(styles.hostButton).toBe("rgb(0, 128, 0)");
  });

  it("opens the redline from 'What changed'", async () => {
    const page = await newPage();
    await page.goto(`${hostUrl}/user/dash-1`);
    const link = banner(page).getByRole("link", { name: "What changed" });
    await link.waitFor();
    const [redlinePage] = await Promise.all([page.context().waitForEvent("page"), link.click()]);
    await redlinePage.waitForLoadState();
    expect(redlinePage.url()).toBe(`${server.url}/policies/privacy/compare?from=1&to=2`);
    expect(await redlinePage.locator("ins", { hasText: "Parcelpay" }).first().isVisible()).toBe(true);
  });

  it("speaks a German reader's language, and says the notice itself is not translated yet", async () => {
    const page = await newPage();
    const shown = page.waitForResponse((r) => r.url().endsWith(`/api/v1/embed/notices/${noticeId}/shown`));
    await page.goto(`${hostUrl}/user/dash-de`);
    // Shown is recorded on its own, the first time only; it acknowledges nothing.
    expect((await shown).status()).toBe(201);
    const button = banner(page).getByRole("button", { name: "Zur Kenntnis genommen" });
    await button.waitFor();
    expect(await banner(page).getByRole("heading").textContent()).toBe("Privacy Policy aktualisiert");
    expect(await banner(page).getByRole("link", { name: "Was sich ändert" }).isVisible()).toBe(true);
    expect(await banner(page).locator(".untranslated").textContent()).toBe(
      "Diese Mitteilung liegt noch nicht auf Deutsch vor und wird daher auf Englisch angezeigt.",
    );
    expect(await banner(page).locator(".dates").textContent()).toMatch(
      /^Gilt ab dem \d{1,2}\. \p{L}+ \d{4}\.$/u,
    );
    expect(await banner(page).getByRole("article").getAttribute("lang")).toBe("de");
  });

  it("acknowledges with 'I acknowledge' from the keyboard, removes the banner, and the workspace shows the acknowledgement", async () => {
    const page = await newPage();
    await page.goto(`${hostUrl}/user/dash-1`);
    const gotIt = banner(page).getByRole("button", { name: "I acknowledge" });
    await gotIt.waitFor();
    // Tab order: "What changed", then "I acknowledge" — native controls inside the shadow root.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await gotIt.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
    const acknowledged = page.waitForResponse((r) =>
      r.url().endsWith(`/api/v1/embed/notices/${noticeId}/ack`),
    );
    await page.keyboard.press("Enter");
    expect((await acknowledged).status()).toBe(201);
    await banner(page).getByRole("article").waitFor({ state: "detached" });
    expect(await banner(page).getByRole("status").textContent()).toBe("Thank you. Noted: Privacy Policy.");

    // Reloaded, the page has nothing to show for this person any more.
    const listed = page.waitForResponse((r) => r.url().endsWith("/api/v1/embed/notices"));
    await page.reload();
    expect((await (await listed).json()).notices).toEqual([]);
    await page.waitForFunction(() => !document.querySelector(".redline-notices"));

    // The legal team sees it in the workspace.
    const admin = await newPage();
    await admin.goto(`${server.url}/admin/login`);
    await admin.getByLabel("Email").fill("banner@example.com");
    await admin.getByLabel("Password").fill(PASSWORD);
    await admin.getByRole("button", { name: "Sign in" }).click();
    await admin.getByRole("navigation", { name: "Workspace" }).waitFor();
    await admin
      .getByRole("navigation", { name: "Workspace" })
      .getByRole("link", { name: "Acknowledgements" })
      .click();
    await admin.getByRole("link", { name: `#${noticeId}` }).click();
    const row = admin.locator('tr[data-subscriber="dash-1"]');
    await row.waitFor();
    expect(await row.textContent()).toMatch(/via dashboard/);
    expect(await admin.locator('tr[data-subscriber="dash-2"]').textContent()).toMatch(/not yet/);
  });

  it("stays silent with an expired token", async () => {
    const page = await newPage();
    const refused = page.waitForResponse((r) => r.url().endsWith("/api/v1/embed/notices"));
    await page.goto(`${hostUrl}/expired/dash-2`);
    expect((await refused).status()).toBe(401);
    await page.waitForFunction(() => !document.querySelector(".redline-notices"));
    expect(await page.locator("#host-text").textContent()).toBe("Your projects");
  });
});
