/**
 * Every admin page, opened in Debian's Chromium by a signed-in admin with data present: a published
 * policy with two versions, a draft in review, an approved draft, a material notice sent by email and
 * dashboard to a few subscribers (one acknowledged, one bounced), an API key, an embed secret, a second
 * user and the audit entries all of that wrote. A page fails on any console error, uncaught page
 * error, response of 500 or more, or a page that does not hydrate. The list of pages is read from the
 * route files (test/support/admin-routes.ts, as the route × role matrix is), so a new admin page fails
 * here until it is given a real address or a reason it cannot be opened.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { readAdminRoutes, rendersPage } from "../support/admin-routes";
import { launchBrowser } from "../support/browser";
import { ROOT, type RunningServer, redline, startServer } from "../support/server";
import { signWebhook } from "../support/webhook-signature";

const PASSWORD = "every page password 1";
const WEBHOOK_SECRET = `whsec_${Buffer.from("redline-e2e-webhook-secret-32byt").toString("base64")}`;

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
const ids = { published: 0, review: 0, approved: 0, draft: 0, notice: 0 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(args: string[]) {
  return redline(args, { DATABASE_URL: server.databaseUrl });
}

async function ok(args: string[]) {
  const result = await run(args);
  expect(result.code, `redline ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
  return result.stdout;
}

async function documentId(admin: AdminClient, title: string): Promise<number> {
  const list = await (await admin.get("/admin/documents")).text();
  const id = new RegExp(`href="/admin/documents/(\\d+)"[^>]*>${title}<`).exec(list)?.[1];
  expect(id, title).toBeDefined();
  return Number(id);
}

async function revisionOf(admin: AdminClient, id: number): Promise<string> {
  const html = await (await admin.get(`/admin/documents/${id}`)).text();
  const revision = /name="revision" value="(\d+)"/.exec(html)?.[1];
  expect(revision).toBeDefined();
  return revision!;
}

async function policy(slug: string, title: string, text: string) {
  const file = join(server.directory, `${slug}.md`);
  writeFileSync(file, `# ${title}\n\n## 1. Sharing\n\n${text}\n`);
  await ok(["import", slug, file]);
}

async function openSqlite() {
  const { default: Database } = await import("better-sqlite3");
  return new Database(server.databaseUrl.replace(/^file:/, ""));
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer({ RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET }),
    launchBrowser(),
  ]);
  await ok(["user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD]);
  await ok(["user", "add", "second@example.com", "--role", "approver", "--password", PASSWORD]);
  const admin = new AdminClient(server.url);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);

  // A published policy with two versions, the second a material change sent by email and dashboard.
  const csv = join(server.directory, "subscribers.csv");
  writeFileSync(
    csv,
    "externalId,email,name,locale\nuser-1,user1@example.com,Ada,en\nuser-2,user2@example.com,Grace,en\nuser-3,user3@example.com,Edsger,en\n",
  );
  await ok(["subscribers", "import", csv]);
  await policy("noticed", "Noticed policy", "We share data with Parcelpay Payments Inc.");
  await ok(["publish", "noticed"]);
  await policy("noticed", "Noticed policy", "We share data with Parcelpay Payments Inc. and Ledgerly Ltd.");
  await ok([
    "publish",
    "noticed",
    "--material",
    "--summary",
    "A new processor.",
    "--notify",
    "email,dashboard",
  ]);
  const status = await ok(["notify", "status", "noticed", "2", "--format", "json"]);
  ids.notice = Number(/"(?:id|noticeId)":\s*(\d+)/.exec(status)?.[1]);
  expect(ids.notice).toBeGreaterThan(0);
  ids.published = await documentId(admin, "Noticed policy");

  // The in-process dispatcher sends the emails to the capture transport.
  const sqlite = await openSqlite();
  const sentTo = (externalId: string) =>
    sqlite
      .prepare(
        `SELECT d.provider_message_id AS id FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
         WHERE s.external_id = ? AND d.channel = 'email' AND d.notice_id = ?`,
      )
      .get(externalId, ids.notice) as { id: string | null } | undefined;
  for (let tries = 0; !sentTo("user-2")?.id && tries < 200; tries++) await sleep(100);
  const messageId = sentTo("user-2")!.id!;
  sqlite.close();

  // One bounce, reported by the provider's (signed) webhook.
  const payload = JSON.stringify({
    type: "email.bounced",
    created_at: new Date().toISOString(),
    data: { email_id: messageId, to: ["user2@example.com"], bounce: { type: "Permanent" } },
  });
  const now = new Date();
  const bounced = await fetch(`${server.url}/api/v1/webhooks/resend`, {
    method: "POST",
    body: payload,
    headers: {
      "content-type": "application/json",
      "svix-id": "msg_e2e_bounce",
      "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
      "svix-signature": signWebhook(WEBHOOK_SECRET, "msg_e2e_bounce", now, payload),
    },
  });
  expect(bounced.status).toBeLessThan(300);

  // An API key, and one acknowledgement recorded with it.
  const key = /(rl_[A-Za-z0-9_-]{20,})/.exec(await ok(["apikey", "create", "backend"]))?.[1];
  expect(key).toBeDefined();
  const acknowledged = await fetch(`${server.url}/api/v1/subscribers/user-1/notices/${ids.notice}/ack`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: "{}",
  });
  expect(acknowledged.status).toBeLessThan(300);

  // An embed secret.
  expect((await admin.post("/admin/embed", { intent: "rotate-secret" })).status).toBe(200);

  // A draft in review, an approved draft (imported by the command line, so the admin is not its
  // author), and a plain draft for the editor.
  for (const [slug, title] of [
    ["reviewing", "Reviewing policy"],
    ["approving", "Approving policy"],
    ["drafting", "Drafting policy"],
  ]) {
    await policy(slug, title, `The ${slug} text.`);
  }
  ids.review = await documentId(admin, "Reviewing policy");
  ids.approved = await documentId(admin, "Approving policy");
  ids.draft = await documentId(admin, "Drafting policy");
  for (const id of [ids.review, ids.approved]) {
    const revision = await revisionOf(admin, id);
    const submitted = await admin.post(`/admin/documents/${id}?index`, {
      intent: "submit-for-review",
      revision,
    });
    expect(submitted.status).toBe(302);
    if (id === ids.approved) {
      const approved = await admin.post(`/admin/documents/${id}/review`, { intent: "approve", revision });
      expect(approved.status).toBe(302);
    }
  }

  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel("Email").fill("admin@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Workspace" }).waitFor();
  await page.close();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

/**
 * Every admin route file that renders a page: the address a signed-in admin opens, with real ids, or
 * why it is not opened here. A page route missing from this list fails below, naming its file.
 */
const PAGES: Record<string, { path: () => string; shows?: RegExp } | { not: string }> = {
  "admin.tsx": { path: () => "/admin" },
  "admin._index.tsx": { path: () => "/admin" },
  "admin.account.tsx": { path: () => "/admin/account" },
  "admin.login.tsx": { not: "a signed-in admin is sent on to the workspace; opened in beforeAll to sign in" },
  "admin.sso.start.tsx": {
    not: "sends the browser to the identity provider; opened in Chromium by test/e2e/single-sign-on.test.ts",
  },
  "admin.sso.$.tsx": {
    not: "the provider's answer comes back here; every outcome is opened by test/e2e/single-sign-on.test.ts and test/integration/single-sign-on.test.ts",
  },
  "admin.password-reset.$token.tsx": {
    not: "needs a one-time link; a made-up one is a 404, checked in test/integration/people-leave.test.ts",
  },
  "admin.documents._index.tsx": { path: () => "/admin/documents" },
  "admin.documents.$id._index.tsx": { path: () => `/admin/documents/${ids.published}` },
  "admin.documents.$id.edit.tsx": { path: () => `/admin/documents/${ids.draft}/edit` },
  "admin.documents.$id.review.tsx": { path: () => `/admin/documents/${ids.review}/review` },
  "admin.documents.$id.publish.tsx": { path: () => `/admin/documents/${ids.approved}/publish` },
  "admin.documents.$id.history.tsx": { path: () => `/admin/documents/${ids.published}/history` },
  "admin.documents.$id.compare.tsx": { path: () => `/admin/documents/${ids.published}/compare?from=1&to=2` },
  "admin.documents.$id.versions.$number.tsx": { path: () => `/admin/documents/${ids.published}/versions/2` },
  "admin.audit.tsx": { path: () => "/admin/audit" },
  "admin.api-keys.tsx": { path: () => "/admin/api-keys" },
  "admin.users.tsx": { path: () => "/admin/users" },
  "admin.embed.tsx": { path: () => "/admin/embed" },
  "admin.branding.tsx": { path: () => "/admin/branding" },
  "admin.notices._index.tsx": { path: () => "/admin/notices" },
  "admin.notices.$noticeId.tsx": { path: () => `/admin/notices/${ids.notice}`, shows: /bounced/i },
  "admin.notices.mail.tsx": { path: () => "/admin/notices/mail" },
  "admin.subscribers._index.tsx": { path: () => "/admin/subscribers" },
  "admin.subscribers.$externalId.tsx": { path: () => "/admin/subscribers/user-2", shows: /bounced/i },
  "admin.acknowledgements._index.tsx": { path: () => "/admin/acknowledgements" },
  "admin.acknowledgements.$noticeId._index.tsx": {
    path: () => `/admin/acknowledgements/${ids.notice}`,
    shows: /user-1/,
  },
};

const pageRoutes = readAdminRoutes().filter((route) => rendersPage(route.source));

/**
 * Opens a page and collects everything that went wrong on it: console errors, uncaught errors,
 * responses of 500 or more. Resolves once React has hydrated the page (or fails saying it did not).
 */
async function visit(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 500) problems.push(`${response.status()} from ${response.url()}`);
  });
  const response = await page.goto(`${server.url}${path}`);
  if (!response || response.status() >= 400) problems.push(`${response?.status()} for ${path}`);
  const hydrated = await page
    .waitForFunction(
      () => {
        const root = document.querySelector(".admin");
        return !!root && Object.keys(root).some((key) => key.startsWith("__reactFiber"));
      },
      undefined,
      { timeout: 10_000 },
    )
    .then(() => true)
    .catch(() => false);
  if (!hydrated) problems.push(`${path} did not hydrate`);
  // Effects and lazy chunks run after hydration: give them a moment to fail.
  await page.waitForLoadState("networkidle");
  return { page, problems };
}

describe("every admin page in the browser", () => {
  it("is listed with a real address, or a reason it is not opened", () => {
    const missing = pageRoutes.map((route) => route.file).filter((file) => !PAGES[file]);
    expect(
      missing,
      "admin page routes that test/e2e/admin-pages.test.ts does not open: add them to PAGES",
    ).toEqual([]);
    const stale = Object.keys(PAGES).filter((file) => !pageRoutes.some((route) => route.file === file));
    expect(stale).toEqual([]);
  });

  for (const { file } of pageRoutes) {
    const entry = PAGES[file];
    if (!entry || "not" in entry) continue;
    it(`${file} opens for an admin without an error`, async () => {
      const { page, problems } = await visit(entry.path());
      try {
        expect(problems).toEqual([]);
        expect(await page.locator(".error-status").count()).toBe(0);
        if (entry.shows) expect(await page.locator("main").textContent()).toMatch(entry.shows);
      } finally {
        await page.close();
      }
    });
  }
});

describe("History → Compare", () => {
  it("puts the redline, toggle and all, in the wide column and the materiality advice beside it", async () => {
    const { page, problems } = await visit(`/admin/documents/${ids.published}/compare?from=1&to=2`);
    try {
      expect(problems).toEqual([]);
      const box = async (selector: string) => {
        const found = await page.locator(selector).first().boundingBox();
        expect(found, selector).not.toBeNull();
        return found!;
      };
      const layout = await box(".review-layout");
      const redline = await box(".redline-view");
      const toggle = await box(".redline-toggle");
      const side = await box(".review-side");
      // The redline takes most of the row; the side column is the narrow one, to its right.
      expect(redline.width).toBeGreaterThan(layout.width * 0.6);
      expect(redline.width).toBeGreaterThan(side.width * 1.5);
      expect(side.x).toBeGreaterThanOrEqual(redline.x + redline.width);
      // The toggle sits above the redline in the same column, not in a column of its own.
      expect(Math.abs(toggle.x - redline.x)).toBeLessThan(2);
      expect(toggle.y + toggle.height).toBeLessThanOrEqual(redline.y + 1);
      await page.locator(".redline-view ins", { hasText: "Ledgerly" }).first().waitFor();
    } finally {
      await page.close();
    }
  });
});

/** WCAG's contrast ratio of two `rgb(…)` colours as getComputedStyle gives them. */
function contrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

describe("the workspace's header and keyboard use", () => {
  it("keeps an admin's navigation on one line at 1280 px", async () => {
    const { page, problems } = await visit("/admin");
    try {
      expect(problems).toEqual([]);
      const tops = await page
        .getByRole("navigation", { name: "Workspace" })
        .getByRole("link")
        .evaluateAll((links) => links.map((link) => Math.round(link.getBoundingClientRect().top)));
      expect(tops.length).toBe(9);
      expect(new Set(tops).size).toBe(1);
    } finally {
      await page.close();
    }
  });

  it("offers “Skip to content” first, which moves the focus past the navigation", async () => {
    const { page } = await visit("/admin/documents");
    try {
      await page.keyboard.press("Tab");
      const skip = page.getByRole("link", { name: "Skip to content" });
      expect(await skip.evaluate((link) => link === document.activeElement)).toBe(true);
      const box = await skip.boundingBox();
      expect(box && box.y >= 0 && box.width > 0).toBe(true);
      await page.keyboard.press("Enter");
      await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? "")).toBe("content");
      // The next Tab reaches the page's own content, not the navigation.
      await page.keyboard.press("Tab");
      expect(
        await page.evaluate(
          () => !!document.activeElement?.closest("main") && !document.activeElement?.closest("nav"),
        ),
      ).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("draws a focus ring on the navigation that stands out from the dark header", async () => {
    const { page } = await visit("/admin/documents");
    try {
      await page.keyboard.press("Tab"); // Skip to content
      await page.keyboard.press("Tab"); // Redline workspace
      await page.keyboard.press("Tab"); // Overview
      const ring = await page.evaluate(() => {
        const focused = document.activeElement as HTMLElement;
        const style = getComputedStyle(focused);
        const header = getComputedStyle(document.querySelector(".admin-header")!);
        return {
          text: focused.textContent,
          style: style.outlineStyle,
          width: Number.parseFloat(style.outlineWidth),
          color: style.outlineColor,
          background: header.backgroundColor,
        };
      });
      expect(ring.text).toBe("Overview");
      expect(ring.style).not.toBe("none");
      expect(ring.width).toBeGreaterThanOrEqual(2);
      // WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it.
      expect(contrast(ring.color, ring.background)).toBeGreaterThanOrEqual(3);
    } finally {
      await page.close();
    }
  });
});

describe("small things that were wrong", () => {
  it("shows the stored role again after refusing to demote the last admin", async () => {
    const { page } = await visit("/admin/users");
    try {
      /** Picks a role in a user's row and presses that row's "Change role". */
      const changeRole = async (email: string, role: string) => {
        const select = page.getByLabel(`Role of ${email}`);
        await select.selectOption(role);
        await page
          .getByRole("row")
          .filter({ has: select })
          .getByRole("button", { name: "Change role" })
          .click();
        return select;
      };
      // The first start's admin steps down first (allowed: there are two), so one admin is left.
      await changeRole("admin@redline.localhost", "approver");
      await page.getByRole("status").filter({ hasText: "Role changed." }).waitFor();
      const select = await changeRole("admin@example.com", "viewer");
      await page.getByRole("alert").waitFor();
      expect(await select.inputValue()).toBe("admin");
    } finally {
      await page.close();
    }
  });

  it("clears a refused link's message at the next edit of the address, and leaves none behind", async () => {
    const { page, problems } = await visit(`/admin/documents/${ids.draft}/edit`);
    try {
      expect(problems).toEqual([]);
      const editor = page.getByRole("textbox", { name: "Policy text" });
      await editor.click();
      await page
        .getByRole("toolbar", { name: "Formatting" })
        .getByRole("button", { name: "Link", exact: true })
        .click();
      const dialog = page.getByRole("dialog", { name: "Link" });
      await dialog.getByLabel("Link address").fill("javascript:alert(1)");
      await dialog.getByRole("button", { name: "Apply link" }).click();
      const refused = page.getByRole("alert").filter({ hasText: "That link was refused" });
      await refused.waitFor();
      await dialog.getByLabel("Link address").press("End");
      await page.keyboard.type("x");
      await refused.waitFor({ state: "detached" });
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "hidden" });
      expect(await page.getByText("That link was refused").count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});

describe("the overview", () => {
  it("answers what needs me: reviews, approved versions, announced changes, sends and acknowledgements", async () => {
    const { page, problems } = await visit("/admin");
    try {
      expect(problems).toEqual([]);
      const section = (name: string) => page.getByRole("region", { name: new RegExp(`^${name}`) });
      await section("Waiting for your review").getByRole("link", { name: "Reviewing policy" }).waitFor();
      const publish = section("Approved, not yet published").getByRole("link", { name: "Approving policy" });
      expect(await publish.getAttribute("href")).toBe(`/admin/documents/${ids.approved}/publish`);
      expect(await section("Upcoming effective dates").textContent()).toMatch(
        /Noticed policy\s*version 2 takes effect on \d{1,2} [A-Z][a-z]+ \d{4} · material change/,
      );
      expect(await section("Acknowledgements").textContent()).toContain(
        "No notice asks for acknowledgement.",
      );
      expect(await page.getByTestId("what-needs-me").textContent()).toMatch(
        /^1 review waits for you · 1 approved version to publish · \d+ sends? in progress · 0 notices with failed emails$/,
      );
      await page.screenshot({ path: join(ROOT, "tmp", "admin-screenshots", "overview.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
