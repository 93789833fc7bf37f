/**
 * The audit log in Debian's Chromium (issue 15 item 11): filtered by action, person, document and
 * dates, and exported with the same filters as CSV and JSON Lines, streamed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, isoDateOf } from "../../app/core/dates";
import { launchBrowser } from "../support/browser";
import { ROOT, type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "audit log password 1";
const SCREENSHOTS = join(ROOT, "tmp", "admin-screenshots");
const today = isoDateOf(new Date());

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function ok(args: string[]) {
  const result = await redline(args, { DATABASE_URL: server.databaseUrl });
  expect(result.code, `redline ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await ok(["user", "add", "viewer@example.com", "--role", "viewer", "--password", PASSWORD]);
  for (const [slug, words] of [
    ["alpha", "First."],
    ["alpha", "Second."],
    ["beta", "Other."],
  ]) {
    const file = join(server.directory, `${slug}.md`);
    writeFileSync(file, `# ${slug}\n\n## 1. Text\n\n${words}\n`);
    await ok(["import", slug, file]);
    await ok(["publish", slug]);
  }
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => (m.type() === "error" ? problems.push(m.text()) : undefined));
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("close", () => expect(problems).toEqual([]));
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill("viewer@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

const actionsShown = () => page.locator(".audit-table tbody td:nth-child(4)").allTextContents();

async function download(name: string): Promise<string> {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name, exact: true }).click(),
  ]);
  return readFileSync((await file.path())!, "utf8");
}

describe("the audit log", () => {
  it("filters by action, document and dates, and exports what it shows", async () => {
    await page.goto(`${server.url}/admin/audit`);
    const filters = page.getByRole("form", { name: "Filter the audit log" });
    await filters.getByLabel("Action", { exact: true }).selectOption("version.published");
    await filters.getByLabel("Document", { exact: true }).selectOption({ label: "alpha (en)" });
    await filters.getByLabel("From").fill(today);
    await filters.getByLabel("To").fill(today);
    await filters.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=version\.published/);
    await page.screenshot({ path: join(SCREENSHOTS, "audit-filtered.png"), fullPage: false });
    expect(await actionsShown()).toEqual(["version.published", "version.published"]);
    expect(await filters.getByLabel("Action", { exact: true }).inputValue()).toBe("version.published");

    const csv = (await download("CSV")).trim().split("\r\n");
    expect(csv[0]).toBe(
      '"id","at","actor","person","action","document","version","details","prevHash","hash"',
    );
    expect(csv.slice(1).map((line) => line.split(",")[4])).toEqual([
      '"version.published"',
      '"version.published"',
    ]);
    const lines = (await download("JSON Lines"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((entry) => [entry.action, entry.document, entry.version])).toEqual([
      ["version.published", "alpha (en)", 1],
      ["version.published", "alpha (en)", 2],
    ]);
    expect(lines[0].hash).toMatch(/^[0-9a-f]{64}$/);

    // A range that holds nothing says so; the person filter lists the command line.
    await page.goto(`${server.url}/admin/audit?from=${addDays(today, 1)}`);
    await page.getByText("No entries match these filters.").waitFor();
    await page.goto(`${server.url}/admin/audit`);
    await filters.getByLabel("Person", { exact: true }).selectOption({ label: "command line" });
    await filters.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/person=cli/);
    expect((await actionsShown()).length).toBeGreaterThan(0);
  });
});
