/**
 * The legal team's workspace in Debian's Chromium: sign in, edit with autosave, submit, approve as a
 * second person, publish, and read the result on the public page; plus the editor's safety rails.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, isoDateOf } from "../../app/core/dates";
import { launchBrowser } from "../support/browser";
import { ROOT, type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "workspace password 1";
const SCREENSHOTS = join(ROOT, "tmp", "admin-screenshots");
const today = isoDateOf(new Date());

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  for (const [email, role] of [
    ["editor@example.com", "editor"],
    ["approver@example.com", "approver"],
    ["approver2@example.com", "approver"],
  ]) {
    const added = await redline(["user", "add", email, "--role", role, "--password", PASSWORD], {
      DATABASE_URL: server.databaseUrl,
    });
    expect(added.code).toBe(0);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

async function signedIn(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  // Leaving the editor with unsaved text asks for confirmation; the tests always mean to leave.
  page.on("dialog", (dialog) => (dialog.type() === "beforeunload" ? dialog.accept() : undefined));
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
  return page;
}

const editorBox = (page: Page) => page.getByRole("textbox", { name: "Policy text" });

/** Waits until the status line says the draft was saved by an actual request (it shows a time). */
async function waitUntilSaved(page: Page) {
  await page.locator('[data-save-status="saved"] .muted').waitFor();
}

async function openDocument(page: Page, title: string) {
  await page.goto(`${server.url}/admin/documents`);
  await page.getByRole("link", { name: title, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
}

async function typeAtEnd(page: Page, text: string) {
  await editorBox(page).waitFor();
  await editorBox(page).focus();
  await caretToEnd(page);
  await page.keyboard.press("Enter");
  await page.keyboard.type(text);
  // The sentence must be a paragraph of its own at the end, not typed into the middle of the text.
  expect(await editorBox(page).locator(":scope > *").last().textContent()).toMatch(new RegExp(`${text}$`));
}

/** Puts the caret at the very end of the document (as a person would by clicking after the last word). */
async function caretToEnd(page: Page) {
  await page.evaluate(() => {
    const root = document.querySelector(".ProseMirror");
    if (!root) return;
    let last: Node = root;
    while (last.lastChild) last = last.lastChild;
    const range = document.createRange();
    range.setStart(last, last.nodeType === Node.TEXT_NODE ? (last.textContent ?? "").length : 0);
    range.collapse(true);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  });
  // ProseMirror reads DOM selection changes on the next selectionchange event.
  await page.waitForFunction(() => {
    const selection = window.getSelection();
    return !!selection && selection.rangeCount > 0;
  });
}

async function pasteHtml(page: Page, html: string, { onNewLine = false } = {}) {
  await editorBox(page).focus();
  await caretToEnd(page);
  if (onNewLine) await page.keyboard.press("Enter");
  await page.evaluate((content) => {
    const target = document.querySelector(".ProseMirror");
    const data = new DataTransfer();
    data.setData("text/html", content);
    data.setData("text/plain", content.replace(/<[^>]+>/g, ""));
    target?.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, html);
}

describe("the legal team's workspace", () => {
  it("takes a change from the editor through review and publication to the public page", async () => {
    const editor = await signedIn("editor@example.com");
    await openDocument(editor, "Privacy Policy");
    // The server captures mail (MAIL_TRANSPORT=capture): every workspace page says so, after hydration too.
    await expect
      .poll(() => editor.getByRole("note", { name: "Email is not delivered" }).textContent())
      .toBe("Email is captured on this machine and not delivered to anyone.");
    await editor.getByRole("button", { name: "Start a new draft" }).click();
    await typeAtEnd(editor, "Support tickets are deleted after eighteen months.");
    await waitUntilSaved(editor);
    await editor.screenshot({ path: join(SCREENSHOTS, "editor.png"), fullPage: false });

    // The autosave reached the server: a fresh load of the editor shows the sentence.
    await editor.reload();
    await editorBox(editor).getByText("Support tickets are deleted after eighteen months.").waitFor();
    await editor.getByRole("button", { name: "Submit for review" }).click();
    await editor.getByText("In review").first().waitFor();
    expect(await editor.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await editor.getByRole("button", { name: "Sign out" }).click();
    await editor.getByRole("button", { name: "Sign in" }).waitFor();

    const approver = await signedIn("approver@example.com");
    await openDocument(approver, "Privacy Policy");
    await approver.getByRole("link", { name: "Review" }).click();
    await approver.locator(".redline-view ins", { hasText: "eighteen months" }).first().waitFor();
    await approver.screenshot({ path: join(SCREENSHOTS, "review.png"), fullPage: false });
    await approver.getByRole("button", { name: "Approve" }).click();

    await approver.getByRole("button", { name: "Publish" }).waitFor();
    expect(await approver.getByLabel("Last updated").inputValue()).toBe(today);
    await approver.getByRole("region", { name: "Materiality" }).waitFor();
    await approver.screenshot({ path: join(SCREENSHOTS, "publish.png"), fullPage: false });
    const lastUpdated = addDays(today, -1);
    await approver.getByLabel("Last updated").fill(lastUpdated);
    await approver.getByLabel("Material change").setChecked(false);
    await approver.getByLabel("Effective date").fill(today);
    await approver.getByLabel("Summary of changes").fill("Support tickets are deleted sooner.");
    await approver.getByRole("button", { name: "Publish" }).click();
    await approver.getByText("Version 2 is published.").waitFor();

    const reader = await browser.newPage();
    await reader.goto(`${server.url}/policies/privacy`);
    expect(await reader.locator(".policy-body").textContent()).toContain(
      "Support tickets are deleted after eighteen months.",
    );
    expect(await reader.locator(".last-updated time").getAttribute("datetime")).toBe(lastUpdated);
    await reader.close();
  });

  it("does not let an approver approve a draft they wrote themselves", async () => {
    const author = await signedIn("approver@example.com");
    await openDocument(author, "Privacy Policy");
    await author.getByRole("button", { name: "Start a new draft" }).click();
    await typeAtEnd(author, "A sentence the approver wrote.");
    await waitUntilSaved(author);
    await author.getByRole("button", { name: "Submit for review" }).click();
    await author.getByRole("link", { name: /See the review/ }).click();
    await author.getByText("another approver must approve it").waitFor();
    expect(await author.getByRole("button", { name: "Approve" }).count()).toBe(0);
    expect(await author.getByRole("button", { name: "Send back" }).count()).toBe(1);

    // A second approver may approve — or send it back with a comment the author then reads.
    const other = await signedIn("approver2@example.com");
    await other.goto(author.url());
    await other.getByRole("button", { name: "Approve" }).waitFor();
    await other.getByLabel("What needs to change").fill("Please cite the legal basis.");
    // The author looks once the send-back has been answered, not while it is still on its way.
    const sentBack = other.waitForResponse((response) => response.request().method() === "POST");
    await other.getByRole("button", { name: "Send back" }).click();
    expect((await sentBack).ok()).toBe(true);
    await author.goto(`${server.url}/admin/documents/1/edit`);
    await author.getByText("Please cite the legal basis.").waitFor();
  });

  it("keeps headings, lists and links pasted from Google Docs and Word, but not a javascript: link", async () => {
    const page = await signedIn("editor@example.com");
    await page.goto(`${server.url}/admin/documents`);
    await page.getByLabel("Title").fill("Cookie Policy");
    await page.getByLabel("Slug").fill("cookies");
    await page.getByRole("button", { name: "Create document" }).click();
    await editorBox(page).waitFor();
    await pasteHtml(
      page,
      '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1"><h2 dir="ltr">1. Cookies we set</h2>' +
        '<ul><li dir="ltr"><p dir="ltr">Session cookie</p></li><li dir="ltr"><p dir="ltr">Preference cookie</p></li></ul>' +
        '<p dir="ltr">See <a href="https://example.com/cookies">our cookie table</a> and ' +
        '<a href="javascript:alert(document.cookie)">this trap</a>.</p></b>',
    );
    await pasteHtml(
      page,
      "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>1.<span>&nbsp;</span></span>Word item one</p>" +
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>2.<span>&nbsp;</span></span>Word item two</p>",
      { onNewLine: true },
    );
    await waitUntilSaved(page);
    await page.reload();
    const box = editorBox(page);
    await box.getByText("Word item two").waitFor();
    expect(await box.locator("h2").textContent()).toBe("1. Cookies we set");
    expect(await box.locator("ul > li").allTextContents()).toEqual(["Session cookie", "Preference cookie"]);
    expect(await box.locator("ol > li").allTextContents()).toEqual(["Word item one", "Word item two"]);
    expect(await box.locator('a[href="https://example.com/cookies"]').count()).toBe(1);
    expect(await box.getByText("this trap").count()).toBe(1);
    expect(await box.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).toEqual([
      "https://example.com/cookies",
    ]);
  });

  it("refuses a javascript: address typed into the link button", async () => {
    const page = await signedIn("editor@example.com");
    await openDocument(page, "Cookie Policy");
    await page.getByRole("link", { name: "Edit draft" }).click();
    await editorBox(page).getByText("Session cookie").dblclick();
    page.once("dialog", (dialog) => dialog.accept("javascript:alert(1)"));
    await page.getByRole("button", { name: "Link", exact: true }).click();
    await page.getByText("That link was refused").waitFor();
    expect(await editorBox(page).locator('a[href^="javascript"]').count()).toBe(0);
  });

  it("keeps unsaved text when the session ends while editing, and saves it after signing in again", async () => {
    const page = await signedIn("editor@example.com");
    await openDocument(page, "Cookie Policy");
    await page.getByRole("link", { name: "Edit draft" }).click();
    await editorBox(page).waitFor();
    await page.context().clearCookies();
    await typeAtEnd(page, "Written after the session ended.");
    await page.locator('[data-save-status="signed-out"]').waitFor();
    await page.getByRole("link", { name: "Sign in again" }).waitFor();
    const editUrl = page.url();

    await page.goto(`${server.url}/admin/login`);
    await page.getByLabel("Email").fill("editor@example.com");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Workspace" }).waitFor();
    await page.goto(editUrl);
    await page.getByText("Unsaved text from this browser was restored").waitFor();
    await waitUntilSaved(page);
    await page.reload();
    await editorBox(page).getByText("Written after the session ended.").waitFor();
  });

  it("says Not saved while offline, keeps the text in the browser, and saves it when the network returns", async () => {
    const page = await signedIn("editor@example.com");
    await openDocument(page, "Cookie Policy");
    await page.getByRole("link", { name: "Edit draft" }).click();
    await editorBox(page).waitFor();
    await page.context().setOffline(true);
    await typeAtEnd(page, "Written while offline.");
    await page.locator('[data-save-status="offline"]').getByText("Not saved").waitFor();
    const kept = await page.evaluate(() =>
      Object.keys(localStorage)
        .filter((key) => key.startsWith("redline:draft:"))
        .map((key) => localStorage.getItem(key))
        .join("\n"),
    );
    expect(kept).toContain("Written while offline.");
    await page.context().setOffline(false);
    await waitUntilSaved(page);
    await page.reload();
    await editorBox(page).getByText("Written while offline.").waitFor();
  });

  it("refuses the later of two simultaneous edits and offers to show the other change", async () => {
    const first = await signedIn("editor@example.com");
    const second = await signedIn("approver2@example.com");
    for (const page of [first, second]) {
      await openDocument(page, "Cookie Policy");
      await page.getByRole("link", { name: "Edit draft" }).click();
      await editorBox(page).waitFor();
    }
    await typeAtEnd(first, "The first person's change.");
    await waitUntilSaved(first);
    await typeAtEnd(second, "The second person's change.");
    await second.locator('[data-save-status="conflict"]').waitFor();
    await second.screenshot({ path: join(SCREENSHOTS, "conflict.png"), fullPage: false });
    const link = second.getByRole("link", { name: "See the other change" });
    const current = await second.context().newPage();
    await current.goto(new URL((await link.getAttribute("href"))!, server.url).href);
    await current.getByText("The first person's change.").waitFor();
    expect(await current.getByText("The second person's change.").count()).toBe(0);
  });
});
