/**
 * The notice page in Debian's Chromium (issue 16, items 4 and 5): reminders are set on the publish
 * form and shown with the notice; email has the columns of email (queued, sent, delivered, bounced,
 * complained, failed) and the dashboard those of the banner (pending, shown, acknowledged,
 * dismissed), each fact apart.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../app/core/notify/user-token";
import { AdminClient } from "../support/admin-client";
import { launchBrowser } from "../support/browser";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "notice page password 1";
/** The product's origin, allowed to call the banner's API. */
const ORIGIN = "https://app.example.test";

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let admin: AdminClient;
let secret: string;

async function ok(args: string[]) {
  const result = await redline(args, { DATABASE_URL: server.databaseUrl });
  expect(result.code, `redline ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

async function policy(slug: string, title: string, text: string) {
  const file = join(server.directory, `${slug}.md`);
  writeFileSync(file, `# ${title}\n\n## 1. Sharing\n\n${text}\n`);
  await ok(["import", slug, file]);
}

/** What the banner does for `externalId`: report a notice shown, or press its button. */
async function banner(externalId: string, noticeId: number, what: "shown" | "ack") {
  const response = await fetch(`${server.url}/api/v1/embed/notices/${noticeId}/${what}`, {
    method: "POST",
    headers: { authorization: `Bearer ${mintUserToken({ secret, externalId })}`, origin: ORIGIN },
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

async function page(): Promise<Page> {
  const opened = await context.newPage();
  const problems: string[] = [];
  opened.on("console", (m) => (m.type() === "error" ? problems.push(m.text()) : undefined));
  opened.on("pageerror", (e) => problems.push(e.message));
  opened.on("close", () => expect(problems).toEqual([]));
  return opened;
}

/** The numbers of a counts table, by column name. */
async function counts(notice: Page, table: string): Promise<Record<string, string>> {
  const found = notice.getByRole("table", { name: table });
  const headers = await found.locator("th").allTextContents();
  const cells = await found.locator("td").allTextContents();
  return Object.fromEntries(headers.map((h, i) => [h, cells[i]]));
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await ok(["user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD]);
  admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
  const created = await admin.post("/admin/embed", { intent: "rotate-secret" });
  secret = /data-testid="embed-secret">(rls_[A-Za-z0-9_-]+)</.exec(await created.text())![1];
  expect((await admin.post("/admin/embed", { intent: "add-origin", origin: ORIGIN })).status).toBe(200);
  const rows = ["externalId,email,name,locale,group"];
  for (let i = 0; i < 4; i++) rows.push(`p-${i},p-${i}@example.com,Person ${i},en,page`);
  const csv = join(server.directory, "subscribers.csv");
  writeFileSync(csv, `${rows.join("\n")}\n`);
  await ok(["subscribers", "import", csv]);
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

describe("the notice page", () => {
  it("shows reminders set on the publish form, email columns and dashboard outcomes kept apart", async () => {
    await policy("terms", "Terms of sharing", "We share data with Parcelpay.");
    await ok(["publish", "terms"]);
    await policy("terms", "Terms of sharing", "We share data with Parcelpay and Ledgerly.");
    const list = await (await admin.get("/admin/documents")).text();
    const id = Number(/href="\/admin\/documents\/(\d+)"[^>]*>Terms of sharing</.exec(list)![1]);
    const html = await (await admin.get(`/admin/documents/${id}`)).text();
    const revision = /name="revision" value="(\d+)"/.exec(html)![1];
    await admin.post(`/admin/documents/${id}?index`, { intent: "submit-for-review", revision });
    await admin.post(`/admin/documents/${id}/review`, { intent: "approve", revision });

    const form = await page();
    await form.goto(`${server.url}/admin/documents/${id}/publish`);
    await form.getByLabel("Material change").setChecked(true);
    await form.getByLabel("Summary of changes").fill("We now share data with Ledgerly.");
    await form.getByLabel("Audience (optional)").fill('{"group":"page"}');
    // Reminders are offered only once acknowledgement is required.
    expect(await form.getByRole("group", { name: "Reminders" }).count()).toBe(0);
    await form.getByLabel("Require acknowledgement").setChecked(true);
    await form.getByLabel("Remind those who have not acknowledged, by email").setChecked(true);
    await form.getByLabel("Days before each reminder").fill("3");
    await form.getByLabel("At most this many reminders").fill("1");
    await form.getByRole("button", { name: "Publish" }).click();
    await form.getByText("Version 2 is published.").waitFor();
    await form.close();

    const status = JSON.parse(await ok(["notify", "status", "terms", "2", "--format", "json"])) as {
      notices: { id: number }[];
    };
    const noticeId = status.notices[0].id;
    // A second notice that does not require acknowledgement: its banner button dismisses.
    await policy("cookies", "Cookies", "We set one cookie.");
    await ok(["publish", "cookies"]);
    await policy("cookies", "Cookies", "We set two cookies.");
    const cookies = JSON.parse(
      await ok([
        "publish",
        "cookies",
        "--material",
        "--summary",
        "Two cookies.",
        "--notify",
        "dashboard",
        "--format",
        "json",
      ]),
    ) as { notices: { id: number }[] };
    const dismissable = cookies.notices[0].id;

    await banner("p-0", noticeId, "shown");
    await banner("p-1", noticeId, "shown");
    await banner("p-1", noticeId, "ack");
    await banner("p-2", dismissable, "shown");
    await banner("p-2", dismissable, "ack");

    const notice = await page();
    await notice.goto(`${server.url}/admin/notices/${noticeId}`);
    await notice.getByText("4 of 4 resolved").waitFor({ timeout: 30_000 });
    await notice.reload();
    const email = await counts(notice, "Emails by status");
    expect(Object.keys(email)).toEqual([
      "queued",
      "sent",
      "captured, not delivered",
      "delivered",
      "bounced",
      "complained",
      "failed",
    ]);
    expect(email).toMatchObject({ queued: "0", "captured, not delivered": "4", failed: "0" });
    expect(await counts(notice, "Dashboard notices by outcome")).toEqual({
      pending: "2",
      shown: "1",
      acknowledged: "1",
      dismissed: "0",
    });
    const reminders = notice.getByRole("region", { name: "Reminders" });
    expect(await reminders.textContent()).toContain(
      "Every 3 days, at most 1 reminder, by email to those who have not acknowledged.",
    );
    expect(await reminders.textContent()).toContain("No reminder sent yet.");

    await notice.goto(`${server.url}/admin/notices/${dismissable}`);
    expect(await counts(notice, "Dashboard notices by outcome")).toMatchObject({
      acknowledged: "0",
      dismissed: "1",
    });
    expect(await notice.getByRole("region", { name: "Reminders" }).count()).toBe(0);
    await notice.close();

    // The proof ledger keeps the same facts apart.
    const ledger = JSON.parse(await ok(["proof", "p-2", "--format", "json"])) as {
      notices: { noticeId: number; outcome: string; firstShownAt: string | null }[];
    };
    expect(ledger.notices.find((n) => n.noticeId === dismissable)).toMatchObject({
      outcome: "dismissed",
      firstShownAt: expect.any(String),
    });
    expect(ledger.notices.find((n) => n.noticeId === noticeId)).toMatchObject({
      outcome: "pending",
      firstShownAt: null,
    });
  });
});
