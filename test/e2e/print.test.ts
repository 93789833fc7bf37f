/**
 * Print style sheets (issue 15 item 13), in Debian's Chromium with the print media type: a redline
 * printed in black and white still tells added from removed text (double underline and [+ ], strike
 * and [− ]), the whole redline prints rather than its scrolled box, and the site's chrome does not.
 * Chromium's own PDF of each page is produced as a reader's "Save as PDF" would.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { ROOT, type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "print password 1";
const SCREENSHOTS = join(ROOT, "tmp", "admin-screenshots");

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let documentId = 0;

async function ok(args: string[]) {
  const result = await redline(args, { DATABASE_URL: server.databaseUrl });
  expect(result.code, `redline ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await ok(["user", "add", "viewer@example.com", "--role", "viewer", "--password", PASSWORD]);
  const file = join(server.directory, "printed.md");
  const clauses = Array.from({ length: 40 }, (_, i) => `Clause ${i + 1} stays the same.`).join("\n\n");
  writeFileSync(file, `# Printed policy\n\n## 1. Sharing\n\nWe share data with Parcelpay.\n\n${clauses}\n`);
  await ok(["import", "printed", file]);
  await ok(["publish", "printed"]);
  writeFileSync(file, `# Printed policy\n\n## 1. Sharing\n\nWe share data with Ledgerly.\n\n${clauses}\n`);
  await ok(["import", "printed", file]);
  await ok(["publish", "printed"]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill("viewer@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
  const list = await page.content();
  documentId = Number(/href="\/admin\/documents\/(\d+)"[^>]*>Printed policy</.exec(list)?.[1] ?? 0);
  if (!documentId) {
    await page.goto(`${server.url}/admin/documents`);
    documentId = Number(
      /href="\/admin\/documents\/(\d+)"[^>]*>Printed policy</.exec(await page.content())?.[1],
    );
  }
  await page.close();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

const style = (page: Page, selector: string, pseudo: string | null, property: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((element, [p, prop]) => getComputedStyle(element, p).getPropertyValue(prop as string), [
      pseudo,
      property,
    ] as const);

describe("printing", () => {
  it("prints a public redline that reads in black and white, without the site's chrome", async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/policies/printed/compare?from=1&to=2`);
    await page.emulateMedia({ media: "print" });
    expect(await style(page, ".redline-document ins", null, "text-decoration-line")).toBe("underline");
    expect(await style(page, ".redline-document ins", null, "text-decoration-style")).toBe("double");
    expect(await style(page, ".redline-document ins", "::before", "content")).toBe('"[+"');
    expect(await style(page, ".redline-document del", null, "text-decoration-line")).toBe("line-through");
    expect(await style(page, ".redline-document del", "::before", "content")).toBe('"[−"');
    expect(await style(page, ".redline-document ins", null, "color")).toBe("rgb(0, 0, 0)");
    expect(await page.locator(".public-header").isVisible()).toBe(false);
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    await page.screenshot({ path: join(SCREENSHOTS, "print-public-redline.png"), fullPage: true });
    await page.close();
  });

  it("prints the workspace's comparison whole, with the same marks and no navigation", async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/admin/documents/${documentId}/compare?from=1&to=2`);
    await page.getByRole("button", { name: "Print or save as PDF" }).waitFor();
    await page.getByLabel("Show only what changed").setChecked(false);
    await page.emulateMedia({ media: "print" });
    expect(await page.getByRole("navigation", { name: "Workspace" }).isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Print or save as PDF" }).isVisible()).toBe(false);
    expect(await style(page, ".redline-view", null, "overflow-y")).toBe("visible");
    expect(await style(page, ".redline-view", null, "max-height")).toBe("none");
    expect(await style(page, ".redline-view ins", "::before", "content")).toBe('"[+"');
    expect(await style(page, ".redline-view del", null, "text-decoration-line")).toBe("line-through");
    await page.locator(".redline-view", { hasText: "Clause 40 stays the same." }).waitFor();
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 4).toString()).toBe("%PDF");
    await page.screenshot({ path: join(SCREENSHOTS, "print-admin-compare.png"), fullPage: true });
    await page.close();
  });

  it("prints a published version with its dates and without the workspace around it", async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/policies/printed/versions/2`);
    await page.emulateMedia({ media: "print" });
    expect(
      await page
        .getByText(/Last updated/)
        .first()
        .isVisible(),
    ).toBe(true);
    expect(await page.locator(".public-footer").isVisible()).toBe(false);
    expect(await style(page, ".policy-body h2", null, "break-after")).toBe("avoid");
    await page.close();
  });
});
