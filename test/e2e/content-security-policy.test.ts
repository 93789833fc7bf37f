/**
 * The Content-Security-Policy in Debian's Chromium (ADR 15): the workspace runs its scripts under a
 * per-response nonce and the editor still works — typing, tables, autosave — without a single
 * violation; the public pages run no script and report none either; and the policy does its job
 * when markup sneaks in.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Resend } from "resend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "policy password 12";

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  for (const [email, role] of [
    ["editor@example.com", "editor"],
    ["admin@example.com", "admin"],
  ]) {
    const added = await redline(["user", "add", email, "--role", role, "--password", PASSWORD], {
      DATABASE_URL: server.databaseUrl,
    });
    expect(added.code).toBe(0);
  }
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

type Violation = { directive: string; blocked: string; sample: string; page: string };

/**
 * A page that records every CSP violation: the `securitypolicyviolation` events of each document
 * (collected by a script the browser adds before the page's own, outside the page's policy) and
 * the console's "Refused to …" messages.
 */
async function watchedPage(): Promise<{ page: Page; violations: () => Promise<Violation[]> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const seen: Violation[] = [];
  await context.exposeBinding("reportViolation", (_source, violation: Violation) => {
    seen.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportViolation: (v: Violation) => void }).reportViolation({
        directive: event.violatedDirective,
        blocked: event.blockedURI,
        sample: event.sample,
        page: location.pathname,
      });
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text()))
      seen.push({ directive: "console", blocked: "", sample: message.text(), page: page.url() });
  });
  page.on("dialog", (dialog) => (dialog.type() === "beforeunload" ? dialog.accept() : undefined));
  return {
    page,
    // Events are delivered through the binding asynchronously: let pending ones arrive first.
    violations: async () => {
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
      return seen;
    },
  };
}

async function signIn(page: Page, email = "editor@example.com") {
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
}

const editorBox = (page: Page) => page.getByRole("textbox", { name: "Policy text" });

/** Puts the caret after the last character of the document, as a click there would. */
async function caretToEnd(page: Page) {
  await page.evaluate(() => {
    let last: Node | null = document.querySelector(".ProseMirror");
    while (last?.lastChild) last = last.lastChild;
    if (!last) return;
    const range = document.createRange();
    range.setStart(last, last.nodeType === Node.TEXT_NODE ? (last.textContent ?? "").length : 0);
    range.collapse(true);
    window.getSelection()?.removeAllRanges();
    window.getSelection()?.addRange(range);
  });
  await page.waitForFunction(() => (window.getSelection()?.rangeCount ?? 0) > 0);
}

describe("the workspace under its Content-Security-Policy", () => {
  it("lets the editor load, edit a table and autosave, with no violation reported", async () => {
    const { page, violations } = await watchedPage();
    await signIn(page);
    await page.goto(`${server.url}/admin/documents`);
    await page.getByRole("link", { name: "Privacy Policy", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Privacy Policy" }).waitFor();
    await page.getByRole("button", { name: "Start a new draft" }).click();
    await editorBox(page).waitFor();

    // The demo policy has a table, which the editor sizes through the style properties of its nodes.
    expect(await editorBox(page).locator("table").count()).toBeGreaterThan(0);
    // Tiptap's own rules come from the stylesheet, not an injected <style> element.
    expect(await page.locator("style[data-tiptap-style]").count()).toBe(0);
    expect(await editorBox(page).evaluate((element) => getComputedStyle(element).whiteSpace)).toBe(
      "break-spaces",
    );

    await editorBox(page).focus();
    await caretToEnd(page);
    await page.keyboard.press("Enter");
    await page.keyboard.type("Backups are kept for thirty days.");
    await page.getByRole("button", { name: "Insert table" }).click();
    await page.keyboard.type("Backup");
    await page.locator('[data-save-status="saved"] .muted').waitFor();

    // The autosave reached the server: a fresh load shows the sentence and the new table.
    await page.reload();
    await editorBox(page).getByText("Backups are kept for thirty days.").waitFor();
    await editorBox(page).getByText("Backup", { exact: true }).waitFor();

    // A published version as stored: Tiptap wrote its table's widths as style attributes.
    await page.goto(`${server.url}/admin/documents/1/versions/1`);
    expect(await page.locator(".version-preview table[style]").count()).toBeGreaterThan(0);

    // Client-side navigation loads further route modules (trusted through 'strict-dynamic').
    await page
      .getByRole("navigation", { name: "Workspace" })
      .getByRole("link", { name: "Audit log" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Notices" }).click();
    await page.getByRole("heading", { level: 1, name: "Notices" }).waitFor();

    expect(await violations()).toEqual([]);
  });

  it("sends each page its own nonce and hides it from the page's markup", async () => {
    const { page, violations } = await watchedPage();
    const first = await page.goto(`${server.url}/admin/login`);
    const second = await page.goto(`${server.url}/admin/login`);
    const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];
    const [a, b] = [
      nonceOf(first?.headers()["content-security-policy"]),
      nonceOf(second?.headers()["content-security-policy"]),
    ];
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    expect(a).not.toBe(b);
    // The scripts carry the nonce (as a property); the browser blanks the attribute, so a page
    // reading its own markup cannot learn it.
    const scripts = await page.evaluate(() =>
      [...document.querySelectorAll("script")].map((s) => ({
        nonce: s.nonce,
        attribute: s.getAttribute("nonce"),
      })),
    );
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toEqual({ nonce: b, attribute: "" });
    // Hydrated: the form is driven by Remix (the password field is managed by React).
    await page.getByLabel("Email").fill("nobody@example.com");
    expect(await violations()).toEqual([]);
  });

  it("refuses script that markup smuggles into a workspace page", async () => {
    const { page, violations } = await watchedPage();
    await signIn(page);
    // As if some text reached the page as HTML: an event handler, a javascript: link, a framed script.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML(
        "beforeend",
        '<img src="/favicon.svg" onload="window.smuggled = 1">' +
          '<a id="smuggled-link" href="javascript:window.smuggled = 2">Continue</a>' +
          '<iframe srcdoc="<script>parent.smuggled = 3</script>"></iframe>',
      );
    });
    await page.click("#smuggled-link");
    await page.waitForFunction(
      () => (document.querySelector('img[src="/favicon.svg"]') as HTMLImageElement).complete,
    );
    await page.waitForFunction(
      () => document.querySelector("iframe")?.contentDocument?.readyState === "complete",
    );
    expect(await page.evaluate(() => (window as unknown as { smuggled?: number }).smuggled)).toBeUndefined();
    const directives = (await violations()).filter((v) => v.directive !== "console").map((v) => v.directive);
    expect(directives).toContain("script-src-attr");
    expect(directives).toContain("script-src-elem");
  });
});

describe("a captured email", () => {
  it("is shown styled in a sandboxed frame, under its own policy, with no violation in the workspace", async () => {
    const captureApi = /— API (http:\/\/127\.0\.0\.1:\d+)\/_mail\/messages/.exec(server.output())?.[1];
    expect(captureApi, server.output()).toBeTruthy();
    const { data } = await new Resend("re_test", { baseUrl: captureApi }).emails.send({
      from: "Redline <notices@example.test>",
      to: "reader@example.test",
      subject: "We are updating our Privacy Policy",
      html: '<p style="color: rgb(180, 35, 24)">What changes</p><img src="x" onerror="parent.smuggled = 1">',
      text: "What changes",
    });
    const { page, violations } = await watchedPage();
    await signIn(page, "admin@example.com");
    await page.goto(`${server.url}/admin/notices/mail?id=${data!.id}`);
    const paragraph = page.frameLocator('iframe[title="HTML part"]').locator("p");
    await paragraph.waitFor();
    expect(await paragraph.evaluate((p) => getComputedStyle(p).color)).toBe("rgb(180, 35, 24)");
    expect(await page.evaluate(() => (window as unknown as { smuggled?: number }).smuggled)).toBeUndefined();
    expect((await violations()).filter((v) => v.page === "/admin/notices/mail")).toEqual([]);
  });
});

describe("the public pages under theirs", () => {
  it("show the home page, the policy, its archive, a version and a 404 with no script and no violation", async () => {
    const { page, violations } = await watchedPage();
    for (const path of [
      "/",
      "/policies/privacy",
      "/policies/privacy/versions",
      "/policies/privacy/versions/1",
      "/nowhere",
    ]) {
      const response = await page.goto(`${server.url}${path}`);
      expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
      expect(await page.locator("script").count()).toBe(0);
      // The stylesheets loaded: the page is styled, not bare HTML.
      const rules = await page.evaluate(() =>
        [...document.styleSheets].map((sheet) => sheet.cssRules.length),
      );
      expect(rules.length).toBeGreaterThan(0);
      expect(rules.every((count) => count > 0)).toBe(true);
    }
    expect(await violations()).toEqual([]);
  });

  it("let a visitor ask for change emails without script: the form posts and the answer is a page", async () => {
    const { page, violations } = await watchedPage();
    await page.goto(`${server.url}/policies/privacy`);
    const form = page.getByRole("region", { name: "Get notified of changes" });
    await form.getByLabel("Email address").fill("dpo@customer.example");
    await form.getByLabel("every new version").check();
    await form.getByRole("button", { name: "Get notified" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    expect(await page.locator("script").count()).toBe(0);
    // A confirmation link that was never sent: refused, as a page, still without script.
    const response = await page.goto(`${server.url}/subscriptions/confirm/not.valid`);
    expect(response?.status()).toBe(404);
    expect(await page.locator("script").count()).toBe(0);
    expect(await violations()).toEqual([]);
  });
});
