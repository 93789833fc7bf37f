/**
 * Issue 16, item 7 (ADR 0029): people without an account follow a public policy by email. Double
 * opt-in through a signed, expiring link that a GET only shows; update emails through the outbox
 * when a version is published, one per subscriber, with a one-click unsubscribe link and RFC 8058
 * headers; "material changes only" means what it says; requests are throttled with a clear 429.
 * Real web server (with its in-process dispatcher), real mail server over HTTP.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintConfirmToken } from "../../app/core/notify/public-subscription";
import { resetEnv } from "../../app/env.server";
import { verifyAuditLog } from "../../app/models/audit.server";
import { reader, write } from "../../app/models/db.server";
import {
  erasePublicSubscriber,
  publicSubscriptionCounts,
} from "../../app/models/public-subscriptions.server";
import { createUser } from "../../app/models/users.server";
import { type CapturedMessage, type MailServer, startMailServer } from "../../app/notify/mail-server.server";
import { publicLinkSecret } from "../../app/notify/public-links.server";
import { execute, rows } from "../../db/dialect";
import { type RunningServer, startServer } from "../support/server";
import { addSubscribers, emailTo, publishFirst, publishMaterial } from "./notify-support";

const SLUG = "followed";
const SECRET = "p".repeat(40);
let mail: MailServer;
let server: RunningServer;
let documentId: number;

beforeAll(async () => {
  // The test mints links with the secret the web server verifies them with.
  process.env.SESSION_SECRET = SECRET;
  resetEnv();
  mail = await startMailServer();
  // With a person in the workspace the server creates no first admin login (and writes no file).
  await createUser({
    email: "legal@example.com",
    role: "admin",
    password: "a-long-enough-password",
    actor: { kind: "cli" },
  });
  const first = await publishFirst(SLUG);
  documentId = first.documentId;
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL!,
    SESSION_SECRET: SECRET,
    MAIL_TRANSPORT: "",
    RESEND_BASE_URL: mail.url,
    SEND_RATE_PER_SECOND: "50",
  });
});

afterAll(async () => {
  await server?.stop();
  await mail?.close();
});

const stored = () =>
  rows<{ email: string; scope: string }>(
    reader(),
    sql`SELECT email, scope FROM public_subscriptions ORDER BY email`,
  );

const to = (address: string) => mail.messages().filter((m) => m.to.includes(address));

async function waitFor<T>(probe: () => T | undefined | null | false, what: string, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const subscribe = (email: string, scope: "all" | "material", headers: Record<string, string> = {}) =>
  fetch(`${server.url}/policies/${SLUG}/subscribe`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, ...headers },
    body: new URLSearchParams({ email, scope }),
  });

const linkIn = (m: CapturedMessage, path: string) => {
  const match = new RegExp(`https?://[^/\\s]+(${path}/[A-Za-z0-9_.-]+)`).exec(m.text ?? "");
  return match?.[1] ?? null;
};

async function confirmationLink(address: string, nth = 1): Promise<string> {
  const message = await waitFor(() => to(address).at(nth - 1), `confirmation email ${nth} to ${address}`);
  expect(message.subject).toBe("Confirm: updates about Privacy Policy");
  return linkIn(message, "/subscriptions/confirm")!;
}

const postConfirm = (path: string, token = path.split("/").pop()!) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
    body: new URLSearchParams({ token }),
  });

describe("the form on the public policy page", () => {
  it("is a plain form without script that posts to the policy's subscribe address", async () => {
    const page = await (await fetch(`${server.url}/policies/${SLUG}`)).text();
    expect(page).toContain("Get notified of changes");
    expect(page).toContain(`action="/policies/${SLUG}/subscribe"`);
    expect(page).toContain('name="email"');
    expect(page).toContain('value="material"');
    expect(page).toContain('value="all"');
    expect(page).not.toMatch(/<script/i);
  });
});

describe("double opt-in", () => {
  it("answers with a page and sends one confirmation email; nothing is stored yet", async () => {
    const response = await subscribe("DPO@Customer.example", "material");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("Check your inbox");
    const link = await confirmationLink("dpo@customer.example");
    expect(link).toMatch(/^\/subscriptions\/confirm\//);
    expect(await stored()).toEqual([]);
  });

  it("shows a button on GET (and HEAD) and records nothing: mail scanners confirm nothing", async () => {
    const link = await confirmationLink("dpo@customer.example");
    for (const method of ["GET", "HEAD", "GET"]) {
      const response = await fetch(`${server.url}${link}`, { method });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("referrer-policy")).toBe("same-origin");
    }
    const page = await (await fetch(`${server.url}${link}`)).text();
    expect(page).toContain("Confirm my subscription");
    expect(page).toContain("material changes only");
    expect(await stored()).toEqual([]);
  });

  it("refuses a forged token, an expired one and a post without the token in its body", async () => {
    const link = await confirmationLink("dpo@customer.example");
    const token = link.split("/").pop()!;
    const [payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, e: "attacker@evil.example" })).toString("base64url")}.${signature}`;
    expect((await fetch(`${server.url}/subscriptions/confirm/${forged}`)).status).toBe(404);
    expect((await postConfirm(`/subscriptions/confirm/${forged}`)).status).toBe(404);
    const expired = mintConfirmToken({
      secret: publicLinkSecret("confirm"),
      email: "late@customer.example",
      documentId,
      scope: "all",
      now: Date.now() - 2 * 24 * 60 * 60 * 1000,
    });
    const expiredPage = await fetch(`${server.url}/subscriptions/confirm/${expired}`);
    expect(expiredPage.status).toBe(410);
    expect(await expiredPage.text()).toContain("has expired");
    expect((await postConfirm(`/subscriptions/confirm/${expired}`)).status).toBe(410);
    expect((await postConfirm(link, "")).status).toBe(400);
    expect(await stored()).toEqual([]);
  });

  it("stores the address and the choice — nothing else — when the POST confirms", async () => {
    const link = await confirmationLink("dpo@customer.example");
    const response = await postConfirm(link);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("You are subscribed");
    expect(await stored()).toEqual([{ email: "dpo@customer.example", scope: "material" }]);
    expect((await postConfirm(link)).status).toBe(200);
    expect(await stored()).toHaveLength(1);
  });

  it("answers a known address exactly as a new one: the form reveals nobody's subscription", async () => {
    const known = await subscribe("dpo@customer.example", "material");
    const fresh = await subscribe("journalist@news.example", "all");
    expect(known.status).toBe(fresh.status);
    const strip = (html: string) => html.replace(/nonce="[^"]*"/g, "");
    expect(strip(await known.text())).toBe(strip(await fresh.text()));
    await postConfirm(await confirmationLink("journalist@news.example"));
    expect(await stored()).toEqual([
      { email: "dpo@customer.example", scope: "material" },
      { email: "journalist@news.example", scope: "all" },
    ]);
  });
});

describe("update emails", () => {
  let unsubscribeUrl: string;

  it("a version that is not material goes to 'every version' subscribers only", async () => {
    const before = {
      dpo: to("dpo@customer.example").length,
      journalist: to("journalist@news.example").length,
    };
    await publishFirst(SLUG); // a second, non-material version
    const update = await waitFor(
      () => to("journalist@news.example").find((m) => m.subject.includes("has changed")),
      "the journalist's update email",
    );
    expect(update.subject).toBe("Privacy Policy has changed: version 2");
    // The dispatcher has sent its batch: give it a moment more, then nothing else went out.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(to("dpo@customer.example").length).toBe(before.dpo);
    expect(to("journalist@news.example").length).toBe(before.journalist + 1);
  });

  it("a material change reaches every confirmed subscriber once, with working List-Unsubscribe headers", async () => {
    // Product subscribers get their notice as before, and are not public subscribers.
    await addSubscribers("product", 2);
    const published = await publishMaterial(SLUG, emailTo("product"));
    const updates = (address: string) =>
      to(address).filter((m) => m.subject.endsWith(`version ${published.number}`));
    const dpo = await waitFor(() => updates("dpo@customer.example")[0], "the DPO's update email");
    await waitFor(() => updates("journalist@news.example")[0], "the journalist's update email");
    await waitFor(() => to("product-1@example.test")[0], "the product subscribers' notice");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(updates("dpo@customer.example")).toHaveLength(1);
    expect(updates("journalist@news.example")).toHaveLength(1);
    expect(dpo.text).toContain("We now share data with Parcelpay.");
    expect(dpo.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const header = /^<(https?:\/\/[^>]+)>$/.exec(dpo.headers["List-Unsubscribe"] ?? "");
    expect(header).not.toBeNull();
    unsubscribeUrl = header![1];
    expect(new URL(unsubscribeUrl).pathname).toMatch(/^\/subscriptions\/unsubscribe\//);
    // The same link in the body.
    expect(dpo.text).toContain(new URL(unsubscribeUrl).pathname);
    // Counted apart from the product's users: the notice's people are the two product subscribers.
    const targeted = await rows<{ n: number }>(
      reader(),
      sql`SELECT count(*) AS n FROM deliveries d JOIN notices n ON n.id = d.notice_id WHERE n.version_id = ${published.id}`,
    );
    expect(Number(targeted[0].n)).toBe(2);
    expect(await publicSubscriptionCounts()).toMatchObject({ total: 2, all: 1, material: 1 });
  });

  it("one click unsubscribes (RFC 8058 POST from the mail client); a GET only shows a button", async () => {
    const path = new URL(unsubscribeUrl).pathname;
    const shown = await fetch(`${server.url}${path}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain("Unsubscribe");
    expect((await stored()).map((s) => s.email)).toContain("dpo@customer.example");
    // What a mail provider sends: a form body, no cookies, no Origin.
    const oneClick = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain("You are unsubscribed");
    expect((await stored()).map((s) => s.email)).toEqual(["journalist@news.example"]);
    // A repeat answers the same.
    expect(
      (
        await fetch(`${server.url}${path}`, {
          method: "POST",
          body: "List-Unsubscribe=One-Click",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        })
      ).status,
    ).toBe(200);
    const forged = `${path.slice(0, -3)}abc`;
    expect((await fetch(`${server.url}${forged}`)).status).toBe(404);
  });

  it("nothing more goes to an address that unsubscribed", async () => {
    const before = to("dpo@customer.example").length;
    const published = await publishMaterial(SLUG, emailTo("product"), "We keep data for two years.");
    await waitFor(
      () => to("journalist@news.example").find((m) => m.subject.endsWith(`version ${published.number}`)),
      "the journalist's next update",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(to("dpo@customer.example").length).toBe(before);
  });
});

describe("proof", () => {
  it("the audit log and the database's proof rules agree after public notices, erasure included", async () => {
    const erased = await erasePublicSubscriber({ email: "Journalist@News.example", actor: { kind: "cli" } });
    expect(erased.subscriptions).toBe(1);
    expect(await stored()).toEqual([]);
    const left = await rows<{ n: number }>(
      reader(),
      sql`SELECT count(*) AS n FROM public_deliveries WHERE recipient_email IS NOT NULL`,
    );
    expect(Number(left[0].n)).toBe(0);
    const verification = await verifyAuditLog({ proof: true });
    expect(verification.break).toBeNull();
    expect(verification.problems).toEqual([]);
  });
});

describe("the database's rules", () => {
  it("refuse to turn a public notice into a notice to the product's subscribers", async () => {
    const error = await write((database) =>
      execute(database, sql`UPDATE notices SET audience_kind = 'subscribers' WHERE audience_kind = 'public'`),
    ).catch((e: Error & { cause?: Error }) => e);
    // drizzle wraps the database's error; its message is the cause's.
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error & { cause?: Error }).cause?.message ?? error)).toMatch(
      /notices are proof of notice and cannot be changed/,
    );
  });
});

describe("abuse", () => {
  it("answers 429 with Retry-After and a clear message after three requests for one address", async () => {
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 4; i++) {
      last = await subscribe("victim@inbox.example", "all");
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await last!.text()).toContain("Too many subscription requests. Try again in");
    expect(to("victim@inbox.example")).toHaveLength(3);
  });

  it("limits one client address across many email addresses", async () => {
    let status = 200;
    let sent = 0;
    while (status === 200 && sent < 20) {
      status = (await subscribe(`spray-${sent}@inbox.example`, "all")).status;
      if (status === 200) sent++;
    }
    expect(status).toBe(429);
    expect(sent).toBeLessThan(10);
  });

  it("refuses a cross-site post", async () => {
    const response = await subscribe("someone@inbox.example", "all", { origin: "https://evil.example" });
    expect(response.status).toBe(403);
  });
});
