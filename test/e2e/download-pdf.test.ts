/**
 * "Download PDF" in the browser (ADR 0030): a reader on a public version page clicks the link and
 * gets a PDF file, named after the policy and version, whose text is the policy's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { readPdf } from "../support/pdf-text";
import { type RunningServer, redline, startServer } from "../support/server";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const file = join(server.directory, "downloaded.md");
  const clauses = Array.from({ length: 30 }, (_, i) => `Clause ${i + 1} stays the same.`).join("\n\n");
  writeFileSync(
    file,
    `# Downloadable Policy\n\n## 1. Sharing\n\nWe share data with Parcelpay.\n\n${clauses}\n`,
  );
  const env = { DATABASE_URL: server.databaseUrl };
  expect((await redline(["import", "downloadable", file], env)).code).toBe(0);
  expect((await redline(["publish", "downloadable"], env)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("Download PDF", () => {
  it("saves the version as a PDF with the policy's title and text", async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/policies/downloadable/versions/1`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download PDF" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("downloadable-v1.pdf");
    const path = await download.path();
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const pdf = await readPdf(new Uint8Array(bytes));
    expect(pdf.title).toBe("Downloadable Policy");
    expect(pdf.pages[0]).toContain("Downloadable Policy");
    expect(pdf.text).toContain("We share data with Parcelpay.");
    expect(pdf.text).toContain("Last updated:");
    await context.close();
  });

  it("is not printed with the page", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/policies/downloadable/versions/1`);
    await page.emulateMedia({ media: "print" });
    expect(await page.getByRole("link", { name: "Download PDF" }).isVisible()).toBe(false);
    await page.close();
  });
});
