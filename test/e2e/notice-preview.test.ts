/**
 * Issue 16 in Chromium: the publish form names the languages that will fall back, previews the
 * notice as one subscriber would get it (the email's HTML in a frame, its text, the banner), and
 * sends a test to the person at the keyboard.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { launchBrowser } from "../support/browser";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "preview e2e password";
let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const env = { DATABASE_URL: server.databaseUrl };
  for (const [email, role] of [
    ["editor@example.com", "editor"],
    ["approver@example.com", "approver"],
  ]) {
    expect((await redline(["user", "add", email, "--role", role, "--password", PASSWORD], env)).code).toBe(0);
  }
  const key = (await redline(["apikey", "create", "e2e"], env)).stdout.trim();
  for (const [id, locale] of [
    ["jonas", "de"],
    ["camille", "fr"],
  ]) {
    const put = await fetch(`${server.url}/api/v1/subscribers/${id}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: `${id}@example.test`, name: id === "jonas" ? "Jonas" : null, locale }),
    });
    expect(put.status).toBe(201);
  }
  const file = join(mkdtempSync(join(tmpdir(), "preview-e2e-")), "privacy.md");
  writeFileSync(
    file,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now share data with Parcelpay.\n`,
  );
  expect((await redline(["import", "privacy", file], env)).code).toBe(0);
  const editor = new AdminClient(server.url);
  expect((await editor.signIn("editor@example.com", PASSWORD)).status).toBe(302);
  expect(
    (await editor.post("/admin/documents/1?index", { intent: "submit-for-review", revision: "1" })).status,
  ).toBe(302);
  const approver = new AdminClient(server.url);
  expect((await approver.signIn("approver@example.com", PASSWORD)).status).toBe(302);
  expect(
    (await approver.post("/admin/documents/1/review", { intent: "approve", revision: "1" })).status,
  ).toBe(302);

  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill("approver@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the publish form's notice preview", () => {
  it("names the languages that fall back, and shows the notice as a German subscriber gets it", async () => {
    await page.goto(`${server.url}/admin/documents/1/publish`);
    const material = page.getByRole("checkbox", { name: "Material change" });
    if (!(await material.isChecked())) await material.check();
    await page.getByLabel("Summary of changes").fill("We now share payment data with Parcelpay.");
    await page.getByRole("checkbox", { name: "Require acknowledgement" }).check();
    expect(await page.getByTestId("notice-languages").textContent()).toMatch(/Deutsch \(1\), Français \(1\)/);

    await page.getByLabel("Subscriber (externalId, optional)").fill("jonas");
    await page.getByRole("button", { name: "Preview the notice" }).click();
    await page.getByTestId("preview-subject").waitFor();
    expect(await page.getByTestId("preview-subject").textContent()).toBe("Änderungen: Privacy Policy");
    const frame = page.frameLocator('iframe[title="Email (HTML)"]');
    await frame.getByText("Hallo Jonas,").waitFor();
    expect(
      await frame.locator("p", { hasText: "We now share payment data with Parcelpay." }).isVisible(),
    ).toBe(true);
    expect(await frame.getByText("Lesen und bestätigen").isVisible()).toBe(true);
    const banner = page.getByTestId("preview-banner");
    expect(await banner.textContent()).toContain("Zur Kenntnis genommen");

    await page.getByLabel("Language").selectOption("es");
    await page.getByRole("button", { name: "Preview the notice" }).click();
    await page.getByTestId("preview-subject").filter({ hasText: "Cambios en nuestro documento" }).waitFor();
    await frame.getByText("Hola, Jonas:").waitFor();
  });

  it("sends a test to the signed-in person and says so", async () => {
    await page.getByRole("button", { name: "Send a test to me" }).click();
    await page
      .getByText("A test email (marked as a test, not a notice) went to approver@example.com.")
      .waitFor();
  });
});
