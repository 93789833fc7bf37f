/**
 * Single sign-on in Debian's Chromium against a real OpenID provider (`oidc-provider` in this process,
 * on a loopback port): "Sign in with …" on the sign-in page, the provider's own page, back to the
 * workspace signed in with the role of the person's group; the provider's sign-out offered after
 * signing out; a denied consent explained on a page with a way back.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser";
import { startIdp, type TestIdp } from "../support/oidc-provider";
import { freePort, type RunningServer, startServer } from "../support/server";

let idp: TestIdp;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  idp = await startIdp({
    redirectUri: `${url}/admin/sso/callback`,
    postLogoutRedirectUri: `${url}/admin/login?signedOut=1`,
    people: { "ana-sub": { email: "ana@example.com", name: "Ana Counsel", groups: ["legal-leads"] } },
  });
  [server, browser] = await Promise.all([
    startServer({
      PORT: String(port),
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_SCOPES: "groups",
      OIDC_PROVIDER_NAME: "Acme ID",
      OIDC_ROLE_MAP: JSON.stringify({ "legal-leads": "approver" }),
    }),
    launchBrowser(),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.stop();
});

async function atProvider(page: Page, choice: "Allow Redline" | "Deny") {
  await page.getByRole("link", { name: "Sign in with Acme ID" }).click();
  await page.waitForURL(`${idp.issuer}/interaction/**`);
  await page.getByLabel("Username").fill("ana-sub");
  await page.getByRole("button", { name: choice }).click();
}

describe("single sign-on in the browser", () => {
  it("signs in through the provider with the role of the person's group, and offers the provider's sign-out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto(`${server.url}/admin/documents`);
      // The password form keeps its names beside the provider's button.
      await expect(page.getByLabel("Email").count()).resolves.toBe(1);
      await expect(page.getByLabel("Password").count()).resolves.toBe(1);
      await expect(page.getByRole("button", { name: "Sign in", exact: true }).count()).resolves.toBe(1);
      await atProvider(page, "Allow Redline");
      // Back where the person was going, signed in.
      await page.waitForURL(`${server.url}/admin/documents`);
      await expect(page.locator("header.admin-header").textContent()).resolves.toContain("ana@example.com");
      await page.goto(`${server.url}/admin/account`);
      await expect(page.locator("main").textContent()).resolves.toMatch(/approver/i);

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/admin\/login\?signedOut=1&provider=1/);
      const providerSignOut = page.getByRole("link", { name: "Also sign out of Acme ID" });
      await expect(providerSignOut.getAttribute("href")).resolves.toMatch(
        new RegExp(`^${idp.issuer}/session/end`),
      );
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("explains a denied consent and offers to start again", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/admin/login`);
      await atProvider(page, "Deny");
      await page.waitForURL(`${server.url}/admin/sso/callback**`);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "The sign-in was cancelled",
      );
      await expect(page.getByRole("link", { name: "Sign in with Acme ID again" }).count()).resolves.toBe(1);
      await expect(page.getByRole("link", { name: "Back to sign-in" }).count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });
});
