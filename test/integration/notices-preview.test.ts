/**
 * Issue 16, item 1: before publishing, the legal team sees the notice exactly as one subscriber
 * would get it (email HTML and text, banner) in that person's language, and can send one real test
 * email to themselves through the configured transport — marked as a test, audited, never counted
 * as a notice. Real server, its bundled capture mail server, real HTTP.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "preview-password-123";
let server: RunningServer;
let admin: AdminClient;
let mailUrl: string;
let documentId: number;
const env = () => ({ DATABASE_URL: server.databaseUrl, NODE_ENV: "test", LOG_LEVEL: "warn" });

type Captured = {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
};
const captured = async () =>
  ((await (await fetch(`${mailUrl}/_mail/messages`)).json()) as { data: Captured[] }).data;

beforeAll(async () => {
  server = await startServer();
  for (let i = 0; i < 100 && !/API (http:\/\/127\.0\.0\.1:\d+)\/_mail/.test(server.output()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  mailUrl = /API (http:\/\/127\.0\.0\.1:\d+)\/_mail/.exec(server.output())![1];
  expect(
    (
      await redline(
        ["user", "add", "lawyer@example.com", "--role", "approver", "--password", PASSWORD],
        env(),
      )
    ).code,
  ).toBe(0);
  const key = (await redline(["apikey", "create", "preview"], env())).stdout.trim();
  const put = await fetch(`${server.url}/api/v1/subscribers/jonas`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "jonas@example.test", name: "Jonas", locale: "de" }),
  });
  expect(put.status).toBe(201);
  const file = join(mkdtempSync(join(tmpdir(), "preview-")), "privacy.md");
  writeFileSync(
    file,
    `${readFileSync("content/privacy.md", "utf8")}\n\n## Payments\n\nWe now use Parcelpay.\n`,
  );
  expect((await redline(["import", "privacy", file], env())).code).toBe(0);
  admin = new AdminClient(server.url);
  expect((await admin.signIn("lawyer@example.com", PASSWORD)).status).toBe(302);
  const documents = await (await admin.get("/admin/documents")).text();
  documentId = Number(/\/admin\/documents\/(\d+)/.exec(documents)![1]);
});
afterAll(() => server?.stop());

const query = new URLSearchParams({
  externalId: "jonas",
  summary: "We now use Parcelpay for card payments.",
  effectiveAt: "2027-01-15",
  requireAck: "on",
});

describe("previewing a notice before publishing", () => {
  it("shows the email and the banner as the chosen subscriber would get them, in their language", async () => {
    const response = await admin.get(`/admin/documents/${documentId}/notice-preview?${query}`);
    expect(response.status).toBe(200);
    const preview = (await response.json()) as {
      reader: { locale: string };
      subject: string;
      text: string;
      banner: { summary: string; text: Record<string, string | null> };
    };
    expect(preview.reader.locale).toBe("de");
    expect(preview.subject).toMatch(/^Änderungen: /);
    expect(preview.text).toContain("Hallo Jonas,");
    expect(preview.text).toContain("We now use Parcelpay for card payments.");
    expect(preview.text).toContain("Die Änderungen gelten ab dem 15. Januar 2027.");
    expect(preview.text).toContain("Lesen und bestätigen");
    expect(preview.banner.text.button).toBe("Zur Kenntnis genommen");
    expect(preview.banner.text.untranslated).toContain("Deutsch");

    const html = await admin.get(`/admin/documents/${documentId}/notice-preview?${query}&format=html`);
    expect(html.headers.get("content-security-policy")).toContain("sandbox");
    const body = await html.text();
    expect(body).toContain('lang="de"');
    expect(body).toContain("Hallo Jonas,");
  });

  it("previews any catalogue language on request, and refuses a subscriber that does not exist", async () => {
    const french = new URLSearchParams(query);
    french.set("locale", "fr");
    const preview = (await (
      await admin.get(`/admin/documents/${documentId}/notice-preview?${french}`)
    ).json()) as {
      subject: string;
      banner: { text: Record<string, string> };
    };
    expect(preview.subject).toMatch(/^Modifications : /);
    expect(preview.banner.text.button).toBe("J'en prends acte");
    const nobody = new URLSearchParams(query);
    nobody.set("externalId", "nobody");
    expect((await admin.get(`/admin/documents/${documentId}/notice-preview?${nobody}`)).status).toBe(404);
  });

  it("sends one real test email to the signed-in person, marked as a test, audited, and no notice", async () => {
    const before = (await captured()).length;
    const response = await admin.post(`/admin/documents/${documentId}/notice-preview`, {
      intent: "send-test",
      ...Object.fromEntries(query),
    });
    expect(response.status).toBe(200);
    const messages = await captured();
    expect(messages.length).toBe(before + 1);
    const test = messages.find((m) => m.to[0] === "lawyer@example.com")!;
    expect(test.subject).toMatch(/^\[Test\] Änderungen: /);
    expect(test.headers).toEqual({ "X-Redline-Test": "preview" });
    expect(test.text).toContain("Hallo Jonas,");
    expect(messages.some((m) => m.to[0] === "jonas@example.test")).toBe(false);

    const audit = await redline(["audit", "verify"], env());
    expect(audit.code, audit.stderr).toBe(0);
    const log = await (await admin.get("/admin/audit")).text();
    expect(log).toContain("notice.test-sent");
    const status = await redline(["notify", "status", "privacy", "2", "--format", "json"], env());
    // No notice, so nothing to count: the test is not a delivery.
    expect(status.code === 0 ? JSON.parse(status.stdout).notices : []).toEqual([]);
  });

  it("is not for an editor", async () => {
    expect(
      (
        await redline(
          ["user", "add", "editor@example.com", "--role", "editor", "--password", PASSWORD],
          env(),
        )
      ).code,
    ).toBe(0);
    const editor = new AdminClient(server.url);
    expect((await editor.signIn("editor@example.com", PASSWORD)).status).toBe(302);
    expect((await editor.get(`/admin/documents/${documentId}/notice-preview?${query}`)).status).toBe(403);
    expect(
      (
        await editor.post(`/admin/documents/${documentId}/notice-preview`, {
          intent: "send-test",
          ...Object.fromEntries(query),
        })
      ).status,
    ).toBe(403);
  });
});
