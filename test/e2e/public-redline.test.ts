import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishCurrentHistory, publishUpcomingHistory, V3_SUMMARY } from "../integration/public-fixture";
import { launchBrowser } from "../support/browser";
import { type RunningServer, startServer } from "../support/server";

let server: RunningServer;
let browser: Browser;
let page: Page;
let host: Server;
let hostUrl: string;

/** A customer's own page on another origin, with its own loud styles, embedding the policy twice. */
function hostPage(policyServer: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme — legal</title>
<style>
  body { font-family: "Courier New", monospace; color: rgb(0, 0, 128); }
  h2 { color: rgb(255, 0, 0); text-transform: uppercase; }
  p { font-size: 40px; }
</style></head><body>
<h2 id="host-heading">Acme legal</h2>
<p id="host-text">Our own words.</p>
<section id="english"><script src="${policyServer}/embed/policy.js" data-policy="privacy"></script></section>
<section id="german"><script src="${policyServer}/embed/policy.js" data-policy="privacy" data-lang="de"></script></section>
</body></html>`;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await publishCurrentHistory(server);
  await publishUpcomingHistory(server);
  host = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    response.end(hostPage(server.url));
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
  await server?.stop();
});

describe("a reader of the public site", () => {
  it("reads the policy in effect and follows the upcoming-change banner to the new version", async () => {
    await page.goto(`${server.url}/policies/privacy`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Privacy Policy");
    const banner = page.getByRole("complementary", { name: "Upcoming changes" });
    expect(await banner.textContent()).toContain("Changes take effect on");
    await banner.getByRole("link", { name: "Read the new version" }).click();
    expect(new URL(page.url()).pathname).toBe("/policies/privacy/versions/3");
    const status = page.getByRole("complementary", { name: "Version status" });
    expect(await status.textContent()).toContain("This version takes effect on");
    expect(await page.locator(".policy-body").textContent()).toContain("Ledgerline Archive Ltd");
  });

  it("opens the archive and sees every version with its dates, badges and summaries", async () => {
    await page.goto(`${server.url}/policies/privacy`);
    await page.getByRole("contentinfo").getByRole("link", { name: "All versions" }).click();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("All versions");
    const entries = page.locator(".archive-entry");
    expect(await entries.count()).toBe(3);
    const newest = entries.first();
    expect(await newest.getByRole("heading", { level: 2 }).textContent()).toMatch(
      /^Version 3 Upcoming Material change/,
    );
    expect(await newest.textContent()).toContain(V3_SUMMARY);
    expect(await entries.nth(2).textContent()).toContain("Superseded");
  });

  it("compares two versions and sees insertions and deletions, by changed section", async () => {
    await page.goto(`${server.url}/policies/privacy/versions`);
    await page.getByRole("link", { name: "Changes from version 1" }).click();
    expect(new URL(page.url()).search).toBe("?from=1&to=2");
    const inserted = page.locator(".redline-document ins", { hasText: "truly" });
    const deleted = page.locator(".redline-document del", { hasText: "run" });
    expect(await inserted.isVisible()).toBe(true);
    expect(await deleted.isVisible()).toBe(true);

    const sections = page.getByRole("navigation", { name: "Changed sections" });
    await sections.getByRole("link", { name: "2. Information We Collect" }).click();
    expect(new URL(page.url()).hash).toBe("#information-we-collect");
    expect(await page.locator("#information-we-collect").isVisible()).toBe(true);
  });

  it("hides formatting-only changes with the switch", async () => {
    await page.goto(`${server.url}/policies/privacy/compare?from=1&to=2`);
    const formattingNote = page.locator(".redline-formatting-only .redline-note").first();
    const formattingSection = page.locator(".formatting-only-section").first();
    expect(await formattingNote.isVisible()).toBe(true);
    expect(await formattingSection.isVisible()).toBe(true);
    await page.getByLabel("Hide formatting-only changes").check();
    expect(await formattingNote.isVisible()).toBe(false);
    expect(await formattingSection.isVisible()).toBe(false);
    expect(await page.locator(".redline-document ins", { hasText: "truly" }).isVisible()).toBe(true);
  });

  it("picks two other versions to compare with the form", async () => {
    await page.goto(`${server.url}/policies/privacy/compare?from=1&to=2`);
    await page.getByLabel("From").selectOption("2");
    await page.getByLabel("To").selectOption("3");
    await page.getByRole("button", { name: "Compare" }).click();
    await page.waitForURL(/from=2&to=3/);
    expect(await page.locator(".redline-document ins", { hasText: "Ledgerline" }).isVisible()).toBe(true);
  });
});

describe("the embed script on another site", () => {
  it("renders the current policy with its Last updated date inside a shadow root", async () => {
    await page.goto(hostUrl);
    const english = page.locator("#english .redline-policy");
    await english.locator("h2.title").waitFor();
    expect(await english.locator("h2.title").textContent()).toBe("Privacy Policy");
    expect(await english.locator(".last-updated").textContent()).toMatch(/^Last updated: \d{1,2} \w+ \d{4}$/);
    expect(await english.locator(".body").textContent()).toContain("truly need to operate the Service");
    expect(await english.locator(".upcoming").textContent()).toContain("Changes take effect on");
    const inShadow = await page.evaluate(() => {
      const root = document.querySelector("#english .redline-policy")?.shadowRoot;
      return { shadow: !!root, inLightDom: document.querySelectorAll("#english .title").length };
    });
    expect(inShadow).toEqual({ shadow: true, inLightDom: 0 });
  });

  it("keeps the host page's styles out of the policy and the policy's styles out of the host page", async () => {
    await page.goto(hostUrl);
    const title = page.locator("#english .redline-policy h2.title");
    await title.waitFor();
    const policyStyle = await title.evaluate((el) => {
      const style = getComputedStyle(el);
      return { color: style.color, transform: style.textTransform, font: style.fontFamily };
    });
    expect(policyStyle.color).not.toBe("rgb(255, 0, 0)");
    expect(policyStyle.transform).toBe("none");
    expect(policyStyle.font).not.toContain("Courier");
    const bodyText = await page
      .locator("#english .redline-policy .body p")
      .first()
      .evaluate((el) => getComputedStyle(el).fontSize);
    expect(bodyText).not.toBe("40px");
    const hostStyle = await page.evaluate(() => ({
      heading: getComputedStyle(document.getElementById("host-heading")!).color,
      text: getComputedStyle(document.getElementById("host-text")!).fontSize,
    }));
    expect(hostStyle).toEqual({ heading: "rgb(255, 0, 0)", text: "40px" });
  });

  it("shows the translation data-lang names", async () => {
    await page.goto(hostUrl);
    const german = page.locator("#german .redline-policy h2.title");
    await german.waitFor();
    expect(await german.textContent()).toBe("Datenschutzerklärung");
    expect(await page.locator("#german .redline-policy article").getAttribute("lang")).toBe("de");
  });
});
