/**
 * Issue 16, item 3 in Chromium: a German reader opens the link in their notice email, reads the
 * summary on the confirmation page, and presses the button; opening the page alone recorded
 * nothing. Real server, its bundled capture mail server, the email the dispatcher really sent.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { type RunningServer, redline, startServer } from "../support/server";

let server: RunningServer;
let browser: Browser;
let link: string;
const env = () => ({ DATABASE_URL: server.databaseUrl, LOG_LEVEL: "warn" });

const ledger = async () => JSON.parse((await redline(["proof", "leser", "--format", "json"], env())).stdout);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  for (let i = 0; i < 100 && !/API (http:\/\/127\.0\.0\.1:\d+)\/_mail/.test(server.output()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const mailUrl = /API (http:\/\/127\.0\.0\.1:\d+)\/_mail/.exec(server.output())![1];
  const key = (await redline(["apikey", "create", "e2e"], env())).stdout.trim();
  const put = await fetch(`${server.url}/api/v1/subscribers/leser`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "leser@example.test", name: "Lena", locale: "de" }),
  });
  expect(put.status).toBe(201);
  const file = join(mkdtempSync(join(tmpdir(), "ack-e2e-")), "privacy.md");
  writeFileSync(
    file,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
  );
  expect((await redline(["import", "privacy", file], env())).code).toBe(0);
  const published = await redline(
    [
      "publish",
      "privacy",
      "--material",
      "--summary",
      "We now use Parcelpay.",
      "--notify",
      "email",
      "--require-ack",
    ],
    env(),
  );
  expect(published.code, published.stderr).toBe(0);
  let text = "";
  for (let i = 0; i < 100 && !text; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const data = ((await (await fetch(`${mailUrl}/_mail/messages`)).json()) as { data: { text: string }[] })
      .data;
    text = data[0]?.text ?? "";
  }
  link = /(http:\/\/127\.0\.0\.1:\d+\/notices\/acknowledge\/[A-Za-z0-9_.-]+)/.exec(text)![1];
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("acknowledging from the email in a browser", () => {
  it("shows the notice in German, records nothing until the button, then once with channel email", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole("heading", { level: 1, name: "Änderungen bestätigen: Privacy Policy" }).waitFor();
    expect(await page.locator("main").getAttribute("lang")).toBe("de");
    expect(await page.getByText("We now use Parcelpay.").isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: "Alle Änderungen ansehen" }).getAttribute("href")).toBe(
      "/policies/privacy/compare?from=1&to=2",
    );
    await page.reload();
    expect((await ledger()).notices[0].acknowledgement).toBeNull();

    await page.getByRole("button", { name: "Zur Kenntnis genommen" }).click();
    await page.getByRole("status").filter({ hasText: "Ihre Bestätigung wurde am" }).waitFor();
    expect(await page.getByRole("button").count()).toBe(0);
    expect((await ledger()).notices[0].acknowledgement).toMatchObject({ channel: "email", version: 2 });
    await context.close();
  });
});
