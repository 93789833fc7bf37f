/**
 * Subscribers and audiences in the workspace, in Debian's Chromium (issue 15 items 8 and 9): a CSV
 * upload whose bad line is named while the good ones are imported, the list's contains-search and
 * attribute filter, erasure behind a typed confirmation, and the publish form's audience builder
 * with its live count and the JSON beside it. Every page fails on a console or page error.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { launchBrowser } from "../support/browser";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "subscribers e2e password 1";

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let admin: AdminClient;

async function ok(args: string[]) {
  const result = await redline(args, { DATABASE_URL: server.databaseUrl });
  expect(result.code, `redline ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

/** A page that fails its test on a console or page error; `refused` allows Chromium's line for a 400 the test asks for. */
async function page({ refused = false }: { refused?: boolean } = {}): Promise<Page> {
  const opened = await context.newPage();
  const problems: string[] = [];
  const expected = (text: string) => refused && /status of 400 \(Bad Request\)/.test(text);
  opened.on("console", (m) =>
    m.type() === "error" && !expected(m.text()) ? problems.push(m.text()) : undefined,
  );
  opened.on("pageerror", (e) => problems.push(e.message));
  opened.on("close", () => expect(problems).toEqual([]));
  return opened;
}

/** The externalIds the subscriber list shows, in order. */
async function listed(list: Page): Promise<string[]> {
  return list
    .getByRole("table", { name: "Subscribers" })
    .locator("tbody tr td:first-child")
    .allTextContents();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await ok(["user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD]);
  admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const signIn = await context.newPage();
  await signIn.goto(`${server.url}/admin/login`);
  await signIn.getByLabel("Email").fill("admin@example.com");
  await signIn.getByLabel("Password").fill(PASSWORD);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.getByRole("navigation", { name: "Workspace" }).waitFor();
  await signIn.close();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

describe("subscribers", () => {
  it("uploads a CSV, names its bad line with the reason, and lists the good ones", async () => {
    const list = await page();
    await list.goto(`${server.url}/admin/subscribers`);
    const csv = [
      "externalId,email,name,region,plan",
      "cust-001,grace@navy.example,Grace Hopper,US,team",
      "cust-002,not an address,Ada Lovelace,EU,team",
      "cust-003,radia@perlman.example,Radia Perlman,EU,free",
      "cust-004,margaret@hamilton.example,Margaret Hamilton,EU,team",
    ].join("\n");
    await list.getByLabel("CSV file").setInputFiles({
      name: "subscribers.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`${csv}\n`),
    });
    await list.getByRole("button", { name: "Upload and import" }).click();
    await list.getByText("Imported 3 of 4 rows (3 new, 0 updated), rejected 1.").waitFor();
    const rejected = list.getByRole("table", { name: "Rejected lines" });
    const row = rejected.locator("tbody tr");
    expect(await row.count()).toBe(1);
    expect(await row.locator("td").allTextContents()).toEqual([
      "3",
      "cust-002",
      expect.stringContaining('email "not an address" is not an email address'),
    ]);
    // The list below is read again once the import is done.
    await list.getByRole("link", { name: "cust-004" }).waitFor();
    expect(await listed(list)).toEqual(["cust-001", "cust-003", "cust-004"]);
    await list.close();
  });

  it("finds subscribers by part of a name or address, and filters by an attribute value and status", async () => {
    const list = await page();
    await list.goto(`${server.url}/admin/subscribers`);
    await list.getByLabel("Search email, name or externalId").fill("perlman");
    await list.getByRole("button", { name: "Search" }).click();
    await list.waitForURL(/q=perlman/);
    await expect.poll(() => listed(list)).toEqual(["cust-003"]);

    await list.getByLabel("Search email, name or externalId").fill("");
    await list.getByLabel("Attribute").selectOption("region=EU");
    await list.getByLabel("Status").selectOption("active");
    await list.getByRole("button", { name: "Search" }).click();
    await list.waitForURL(/q=&status=active&attribute=region%3DEU/);
    await expect.poll(() => listed(list)).toEqual(["cust-003", "cust-004"]);

    await list.getByLabel("Status").selectOption("erased");
    await list.getByRole("button", { name: "Search" }).click();
    await list.getByText("No subscribers match.").waitFor();
    await list.close();
  });

  it("erases a subscriber only once their externalId is typed to confirm", async () => {
    const profile = await page({ refused: true });
    await profile.goto(`${server.url}/admin/subscribers/cust-001`);
    await profile.getByText("grace@navy.example").waitFor();
    const erase = profile.getByRole("region", { name: "Erase personal data" });
    await erase.getByText("Erase this subscriber…").click();
    await erase.getByLabel("Type cust-001 to confirm").fill("cust-00");
    await erase.getByRole("button", { name: "Erase personal data" }).click();
    await profile
      .getByText("Type the externalId cust-001 to confirm the erasure; nothing was erased.")
      .waitFor();
    expect(await profile.getByText("grace@navy.example").count()).toBe(1);

    // The confirmation stays open after a refusal.
    await profile.getByLabel("Type cust-001 to confirm").fill("cust-001");
    await profile.getByRole("button", { name: "Erase personal data" }).click();
    await profile.getByText("Personal data erased.", { exact: false }).waitFor();
    expect(await profile.getByText("grace@navy.example").count()).toBe(0);
    expect(await profile.getByRole("region", { name: "Erase personal data" }).count()).toBe(0);
    await profile.close();
  });
});

describe("the audience builder", () => {
  it("builds an audience from the attributes subscribers have, counts it live and keeps the JSON editable", async () => {
    const file = join(server.directory, "terms.md");
    writeFileSync(file, "# Terms\n\n## 1. Sharing\n\nWe share data with Parcelpay.\n");
    await ok(["import", "terms", file]);
    await ok(["publish", "terms"]);
    writeFileSync(file, "# Terms\n\n## 1. Sharing\n\nWe share data with Parcelpay and Ledgerly.\n");
    await ok(["import", "terms", file]);
    const documents = await (await admin.get("/admin/documents")).text();
    const id = /href="\/admin\/documents\/(\d+)"[^>]*>Terms</.exec(documents)![1];
    const html = await (await admin.get(`/admin/documents/${id}`)).text();
    const revision = /name="revision" value="(\d+)"/.exec(html)![1];
    expect(
      (await admin.post(`/admin/documents/${id}?index`, { intent: "submit-for-review", revision })).status,
    ).toBe(302);
    expect((await admin.post(`/admin/documents/${id}/review`, { intent: "approve", revision })).status).toBe(
      302,
    );

    const form = await page();
    await form.goto(`${server.url}/admin/documents/${id}/publish`);
    await form.getByLabel("Material change").setChecked(true);
    const count = form.locator("output.audience-count");
    const json = form.getByLabel("Audience (optional)");
    await form.getByText(/^This audience reaches \d+ active subscribers?\.$/).waitFor();

    // cust-003 (EU, free) and cust-004 (EU, team) are active in the EU; cust-001 (US) was erased.
    await form.getByRole("button", { name: "Add a condition" }).click();
    await form.getByLabel("Attribute 1").selectOption("region");
    await expect.poll(() => json.inputValue()).toBe('{"region":"EU"}');
    await form.getByText("This audience reaches 2 active subscribers.").waitFor();

    await form.getByRole("button", { name: "Add a condition" }).click();
    const plan = form.getByRole("group", { name: "Values of plan" });
    await plan.getByLabel("free").setChecked(true);
    await plan.getByLabel("team").setChecked(false);
    await expect.poll(() => json.inputValue()).toBe('{"plan":"free","region":"EU"}');
    await form.getByText("This audience reaches 1 active subscriber.").waitFor();

    await plan.getByLabel("team").setChecked(true);
    await expect.poll(() => json.inputValue()).toBe('{"plan":["free","team"],"region":"EU"}');
    await form.getByText("This audience reaches 2 active subscribers.").waitFor();

    // An expert's edit of the JSON moves the pickers, and the count follows.
    await json.fill('{"plan":"team","region":"EU"}');
    await expect.poll(() => plan.getByLabel("free").isChecked()).toBe(false);
    expect(await plan.getByLabel("team").isChecked()).toBe(true);
    await form.getByText("This audience reaches 1 active subscriber.").waitFor();

    // JSON the publish action would refuse is named by the same rule, and counts nothing.
    await json.fill('{"plan":');
    await form.getByText(/This is not an audience yet: audience is not JSON/).waitFor();
    await expect.poll(() => count.textContent()).toMatch(/^Audience is not JSON/);
    await form.close();
  });
});
