/**
 * Pasting HTML into the editor follows the importer's rules (ADR 0012), in Debian's Chromium: what
 * is left out on purpose is named, a paste that would lose text is refused, links keep their
 * address only.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "paste password 1234";
let server: RunningServer;
let browser: Browser;
let page: Page;

const editorBox = () => page.getByRole("textbox", { name: "Policy text" });
const message = () => page.locator(".toolbar-message");

async function paste(html: string) {
  await editorBox().focus();
  await page.evaluate(() => {
    const root = document.querySelector(".ProseMirror");
    if (!root) return;
    let last: Node = root;
    while (last.lastChild) last = last.lastChild;
    const range = document.createRange();
    range.setStart(last, last.nodeType === Node.TEXT_NODE ? (last.textContent ?? "").length : 0);
    window.getSelection()?.removeAllRanges();
    window.getSelection()?.addRange(range);
  });
  await page.waitForFunction(() => (window.getSelection()?.rangeCount ?? 0) > 0);
  await page.evaluate((content) => {
    const data = new DataTransfer();
    data.setData("text/html", content);
    data.setData("text/plain", content.replace(/<[^>]+>/g, ""));
    document
      .querySelector(".ProseMirror")
      ?.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, html);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const added = await redline(
    ["user", "add", "paster@example.com", "--role", "editor", "--password", PASSWORD],
    {
      DATABASE_URL: server.databaseUrl,
    },
  );
  expect(added.code, added.stderr).toBe(0);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("dialog", (dialog) => (dialog.type() === "beforeunload" ? dialog.accept() : undefined));
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill("paster@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
  await page.goto(`${server.url}/admin/documents`);
  await page.getByLabel("Title").fill("Paste Policy");
  await page.getByLabel("Slug").fill("paste");
  await page.getByRole("button", { name: "Create document" }).click();
  await editorBox().waitFor();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("pasting HTML into the editor", () => {
  it("keeps the text around an SVG icon and a script, names what it left out, and keeps links to their address", async () => {
    await paste(
      '<p>We use <svg viewBox="0 0 9 9"><style>.a{fill:red}</style><path d="M0 0"/></svg> two cookies' +
        "<script>track()</script> set by " +
        '<a href="https://x.example/cookies" target="_blank" rel="opener" class="button">our partner</a>.</p>' +
        '<p><img src="/chart.png" alt="Cookie lifetimes"> See the table.</p>',
    );
    await expect
      .poll(() => message().textContent())
      .toBe(
        'Pasted. Left out on purpose: 1 inline SVG image; 1 script; 1 image (alt text: "Cookie lifetimes").',
      );
    const box = editorBox();
    await box.getByText("See the table.").waitFor();
    expect(await box.textContent()).toContain("We use two cookies set by our partner.");
    expect(await box.textContent()).not.toMatch(/track|fill:red/);
    const link = box.locator('a[href="https://x.example/cookies"]');
    expect(await link.evaluate((a) => a.getAttributeNames().sort())).toEqual(["href", "rel"]);
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
  });

  it("refuses a paste whose markup would hide the text after it, and changes nothing", async () => {
    const before = await editorBox().innerHTML();
    await paste("<p>First clause.</p><style>p { color: red }<p>Second clause.</p>");
    await expect
      .poll(() => message().textContent())
      .toMatch(/^Nothing was pasted: an unclosed <style> at line 1 hides everything after it/);
    expect(await editorBox().innerHTML()).toBe(before);
  });
});
