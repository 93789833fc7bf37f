import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { type RunningServer, startServer } from "../support/server";

let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a reader of the public privacy policy", () => {
  it("sees the title and the Last updated date at the top", async () => {
    await page.goto(`${server.url}/policies/privacy`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Privacy Policy");
    const lastUpdated = page.locator(".last-updated time");
    const today = new Date().toISOString().slice(0, 10);
    expect(await lastUpdated.getAttribute("datetime")).toBe(today);
    expect(await page.locator(".last-updated").textContent()).toMatch(/^Last updated: \d{1,2} \w+ \d{4}$/);
  });

  it("jumps to a section from the table of contents", async () => {
    const contents = page.getByRole("navigation", { name: "Contents" });
    const link = contents.getByRole("link").nth(4);
    const label = await link.textContent();
    await link.click();
    const id = new URL(page.url()).hash.slice(1);
    expect(id).not.toBe("");
    await expect(page.locator(`[id="${id}"]`).textContent()).resolves.toBe(label);
    expect(await page.locator(`[id="${id}"]`).isVisible()).toBe(true);
  });

  it("meets a 404 page for a policy that does not exist", async () => {
    const response = await page.goto(`${server.url}/policies/imaginary`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Page not found");
  });
});
