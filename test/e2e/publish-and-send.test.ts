/**
 * Publishing onto an announced date, and watching a send, in Debian's Chromium (issue 15 items 4 and
 * 6): a version published for the day an upcoming version is announced for must say that it replaces
 * that announcement, why, and reach the older notice's subscribers; a send the provider throttles
 * reads as throttling on the notice page, never as a batch error.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, isoDateOf } from "../../app/core/dates";
import { AdminClient } from "../support/admin-client";
import { launchBrowser } from "../support/browser";
import { ROOT, type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "publish and send password 1";
const SCREENSHOTS = join(ROOT, "tmp", "admin-screenshots");
const today = isoDateOf(new Date());

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let admin: AdminClient;

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

async function documentId(title: string): Promise<number> {
  const list = await (await admin.get("/admin/documents")).text();
  const id = new RegExp(`href="/admin/documents/(\\d+)"[^>]*>${title}<`).exec(list)?.[1];
  expect(id, title).toBeDefined();
  return Number(id);
}

/** Submits and approves the document's draft (imported by the command line: the admin is no author). */
async function approve(id: number) {
  const html = await (await admin.get(`/admin/documents/${id}`)).text();
  const revision = /name="revision" value="(\d+)"/.exec(html)![1];
  expect(
    (await admin.post(`/admin/documents/${id}?index`, { intent: "submit-for-review", revision })).status,
  ).toBe(302);
  expect((await admin.post(`/admin/documents/${id}/review`, { intent: "approve", revision })).status).toBe(
    302,
  );
}

async function mailUrl(): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const found = /Email is captured[^\n]*API (http:\/\/127\.0\.0\.1:\d+)\/_mail\/messages/.exec(
      server.output(),
    );
    if (found) return found[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no capture mail server in the output:\n${server.output()}`);
}

async function page(): Promise<Page> {
  const opened = await context.newPage();
  const problems: string[] = [];
  opened.on("console", (m) => (m.type() === "error" ? problems.push(m.text()) : undefined));
  opened.on("pageerror", (e) => problems.push(e.message));
  opened.on("close", () => expect(problems).toEqual([]));
  return opened;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  await ok(["user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD]);
  admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
  const rows = ["externalId,email,name,locale,group"];
  for (let i = 0; i < 3; i++) rows.push(`told-${i},told-${i}@example.com,Told ${i},en,told`);
  for (let i = 0; i < 250; i++) rows.push(`many-${i},many-${i}@example.com,,en,many`);
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

describe("publishing for a day an upcoming version is announced for", () => {
  it("replaces the older announcement only with a reason, and tells the older notice's subscribers", async () => {
    const announced = addDays(today, 30);
    await policy("terms", "Terms of sharing", "We share data with Parcelpay.");
    await ok(["publish", "terms"]);
    await policy("terms", "Terms of sharing", "We share data with Parcelpay and Ledgerly.");
    await ok([
      "publish",
      "terms",
      "--material",
      "--summary",
      "Ledgerly.",
      "--notify",
      "email,dashboard",
      "--audience",
      '{"group":"told"}',
    ]);
    await policy("terms", "Terms of sharing", "We share data with Parcelpay and Ledgerly Ltd.");
    const id = await documentId("Terms of sharing");
    await approve(id);

    const form = await page();
    await form.goto(`${server.url}/admin/documents/${id}/publish`);
    await form.getByText(`Version 2 is announced to take effect on`).waitFor();
    await form.getByLabel("Material change").setChecked(true);
    await form.getByLabel("Effective date").fill(announced);
    const replacement = form.getByRole("group", { name: "Replace the announcement of version 2" });
    await replacement.waitFor();
    expect(await replacement.textContent()).toContain("Its notice went to 3 subscribers");
    await form.getByLabel("Summary of changes").fill("Ledgerly's full name.");
    // An audience that reaches nobody: the older notice's subscribers are told all the same.
    await form.getByLabel("Audience (optional)").fill('{"group":"nobody"}');
    await form.screenshot({ path: join(SCREENSHOTS, "publish-replaces-announcement.png"), fullPage: true });
    // The reason is required by the form; the server refuses without it too (unit and integration tests).
    await form
      .getByLabel("Reason for replacing version 2 (recorded in the audit log)")
      .fill("Version 2 did not give Ledgerly's legal name.");
    await form.getByRole("button", { name: "Publish" }).click();
    await form.getByText("Version 3 is published.").waitFor();
    await form.close();

    const api = (await (await fetch(`${server.url}/api/v1/policies/terms`)).json()) as {
      upcoming: { version: number; effectiveAt: string } | null;
    };
    expect(api.upcoming).toMatchObject({ version: 3, effectiveAt: announced });
    const archive = await page();
    await archive.goto(`${server.url}/policies/terms/versions`);
    expect(await archive.getByText("Upcoming", { exact: true }).count()).toBe(1);
    await archive.goto(`${server.url}/policies/terms/versions/2`);
    expect(await archive.getByRole("complementary", { name: "Version status" }).textContent()).toMatch(
      /^This version never took effect\. Version 3 replaced its announcement before \d{1,2} [A-Z][a-z]+ \d{4}\./,
    );
    await archive.close();

    const status = JSON.parse(await ok(["notify", "status", "terms", "3", "--format", "json"])) as unknown;
    expect(JSON.stringify(status)).toMatch(/"dashboard":\{[^}]*"pending":3/);
    const audit = await (await admin.get("/admin/audit")).text();
    expect(audit).toContain("version.announcement-replaced");
  });
});

describe("a send the provider throttles", () => {
  it("says the provider is throttling, and never lists it as a batch error", async () => {
    // The capture server answers 429 above one request every two seconds; the dispatcher sends faster.
    const mail = await mailUrl();
    expect(
      (await fetch(`${mail}/_mail/config`, { method: "POST", body: JSON.stringify({ ratePerSecond: 0.5 }) }))
        .ok,
    ).toBe(true);
    await policy("sending", "Sending policy", "We share data with Parcelpay.");
    await ok(["publish", "sending"]);
    await policy("sending", "Sending policy", "We share data with Parcelpay and Ledgerly.");
    await ok([
      "publish",
      "sending",
      "--material",
      "--summary",
      "Ledgerly.",
      "--notify",
      "email",
      "--audience",
      '{"group":"many"}',
    ]);
    const status = await ok(["notify", "status", "sending", "2", "--format", "json"]);
    const noticeId = Number(/"(?:id|noticeId)":\s*(\d+)/.exec(status)?.[1]);

    const notice = await page();
    await notice.goto(`${server.url}/admin/notices/${noticeId}`);
    const throttled = notice.getByText("The email provider is throttling this send");
    await throttled.waitFor({ timeout: 20_000 });
    expect(await notice.getByRole("heading", { name: "Batch errors" }).count()).toBe(0);
    await notice.screenshot({ path: join(SCREENSHOTS, "notice-throttled.png"), fullPage: true });
    await notice.getByText("250 of 250 resolved").waitFor({ timeout: 30_000 });
    expect(await notice.getByRole("heading", { name: "Batch errors" }).count()).toBe(0);
    await notice.close();
  });
});
