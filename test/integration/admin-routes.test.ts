/**
 * Every admin loader and action, requested over real HTTP by every role: allowed, refused with 403,
 * or sent to the sign-in page. Actions are sent with an intent no route understands, so an allowed
 * request stops at validation (400) after the role and CSRF checks, and nothing changes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { type RunningServer, redline, startServer } from "../support/server";

type Who = "anonymous" | "viewer" | "editor" | "approver" | "admin";
const EVERYONE: Who[] = ["anonymous", "viewer", "editor", "approver", "admin"];
const RANK: Record<Who, number> = { anonymous: -1, viewer: 0, editor: 1, approver: 2, admin: 3 };
const PASSWORD = "matrix password 123";

let server: RunningServer;
const clients = {} as Record<Who, AdminClient>;
const ids = { published: 0, draft: 0, review: 0, approved: 0, notice: 0 };

function doc(html: string) {
  return JSON.stringify({
    type: "doc",
    content: [{ type: "paragraph", content: [{ type: "text", text: html }] }],
  });
}

async function newDocument(client: AdminClient, slug: string): Promise<number> {
  const response = await client.post("/admin/documents?index", {
    intent: "create-document",
    slug,
    title: `Doc ${slug}`,
    locale: "en",
  });
  expect(response.status).toBe(302);
  return Number(/\/admin\/documents\/(\d+)\/edit/.exec(response.headers.get("location") ?? "")?.[1]);
}

async function saveDraft(client: AdminClient, id: number, revision: number, text: string) {
  const response = await client.post(`/admin/documents/${id}/draft`, {
    intent: "save-draft",
    revision: String(revision),
    content: doc(text),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { revision: number };
}

beforeAll(async () => {
  server = await startServer();
  const env = { DATABASE_URL: server.databaseUrl };
  for (const role of ["viewer", "editor", "approver", "admin"] as const) {
    const added = await redline(
      ["user", "add", `${role}@example.com`, "--role", role, "--password", PASSWORD],
      env,
    );
    expect(added.code).toBe(0);
  }
  await redline(["user", "add", "approver2@example.com", "--role", "approver", "--password", PASSWORD], env);
  for (const who of EVERYONE) {
    clients[who] = new AdminClient(server.url);
    if (who !== "anonymous")
      expect((await clients[who].signIn(`${who}@example.com`, PASSWORD)).status).toBe(302);
  }
  // A subscriber and a material change that notified them, for the notice and subscriber pages.
  const csv = join(server.directory, "subscribers.csv");
  writeFileSync(csv, "externalId,email,name,locale\nuser-1,user1@example.com,Ada,en\n");
  expect((await redline(["subscribers", "import", csv], env)).code).toBe(0);
  const policy = join(server.directory, "notices.md");
  writeFileSync(policy, "# Notices\n\n## 1. Sharing\n\nWe share data with Parcelpay Payments Inc.\n");
  expect((await redline(["import", "noticed", policy], env)).code).toBe(0);
  const notified = await redline(
    ["publish", "noticed", "--material", "--summary", "A new processor.", "--notify", "email,dashboard"],
    env,
  );
  expect(notified.code).toBe(0);
  const status = await redline(["notify", "status", "noticed", "1", "--format", "json"], env);
  ids.notice = Number(/"(?:id|noticeId)":\s*(\d+)/.exec(status.stdout)?.[1]);
  expect(ids.notice).toBeGreaterThan(0);
  // Fixtures in every state the pages need.
  ids.published = 1;
  const editor = clients.editor;
  ids.draft = await newDocument(editor, "drafting");
  ids.review = await newDocument(editor, "reviewing");
  ids.approved = await newDocument(editor, "approving");
  for (const id of [ids.review, ids.approved]) {
    const { revision } = await saveDraft(editor, id, 1, "Ready for review.");
    expect(
      (
        await editor.post(`/admin/documents/${id}?index`, {
          intent: "submit-for-review",
          revision: String(revision),
        })
      ).status,
    ).toBe(302);
    if (id === ids.approved) {
      const approver = clients.approver;
      const approved = await approver.post(`/admin/documents/${id}/review`, {
        intent: "approve",
        revision: String(revision),
      });
      expect(approved.status).toBe(302);
    }
  }
});
afterAll(() => server?.stop());

/** `min: "anonymous"`: a page for anyone holding its link; every visitor gets `allowedStatus`. */
type Expectation = { min: Who; allowedStatus?: number[] };

const loaders: [string, () => string, Expectation][] = [
  ["overview", () => "/admin", { min: "viewer" }],
  ["documents", () => "/admin/documents", { min: "viewer" }],
  ["document", () => `/admin/documents/${ids.published}`, { min: "viewer" }],
  ["editor", () => `/admin/documents/${ids.draft}/edit`, { min: "editor" }],
  ["draft endpoint", () => `/admin/documents/${ids.draft}/draft`, { min: "editor", allowedStatus: [302] }],
  ["review", () => `/admin/documents/${ids.review}/review`, { min: "viewer" }],
  ["publish", () => `/admin/documents/${ids.approved}/publish`, { min: "approver" }],
  ["history", () => `/admin/documents/${ids.published}/history`, { min: "viewer" }],
  // A version compared with itself is a 400 for those allowed to compare (the role check comes first).
  [
    "compare",
    () => `/admin/documents/${ids.published}/compare?from=1&to=1`,
    { min: "viewer", allowedStatus: [400] },
  ],
  ["version", () => `/admin/documents/${ids.published}/versions/1`, { min: "viewer" }],
  ["audit log", () => "/admin/audit", { min: "viewer" }],
  ["API keys", () => "/admin/api-keys", { min: "admin" }],
  ["users", () => "/admin/users", { min: "admin" }],
  ["account", () => "/admin/account", { min: "viewer" }],
  ["notices", () => "/admin/notices", { min: "viewer" }],
  ["notice progress", () => `/admin/notices/${ids.notice}`, { min: "viewer" }],
  ["captured mail", () => "/admin/notices/mail", { min: "admin" }],
  // No message has that id: an admin gets the preview's 404, everyone else never reaches the lookup.
  ["captured mail preview", () => "/admin/notices/mail/none/html", { min: "admin", allowedStatus: [404] }],
  ["subscribers", () => "/admin/subscribers", { min: "viewer" }],
  ["subscriber", () => "/admin/subscribers/user-1", { min: "viewer" }],
  ["acknowledgements", () => "/admin/acknowledgements", { min: "viewer" }],
  ["acknowledgements of a notice", () => `/admin/acknowledgements/${ids.notice}`, { min: "viewer" }],
  ["acknowledgements CSV", () => `/admin/acknowledgements/${ids.notice}/csv`, { min: "viewer" }],
  ["dashboard banner", () => "/admin/embed", { min: "admin" }],
  // A made-up password-reset link: refused alike for everyone, signed in or not, whatever the role.
  [
    "password reset",
    () => "/admin/password-reset/not-a-real-link",
    { min: "anonymous", allowedStatus: [404] },
  ],
];

const actions: [string, () => string, Expectation][] = [
  ["create document", () => "/admin/documents?index", { min: "editor" }],
  ["document workflow", () => `/admin/documents/${ids.published}?index`, { min: "editor" }],
  ["review", () => `/admin/documents/${ids.review}/review`, { min: "approver" }],
  ["publish", () => `/admin/documents/${ids.approved}/publish`, { min: "approver" }],
  ["restore", () => `/admin/documents/${ids.published}/versions/1`, { min: "editor" }],
  ["draft autosave", () => `/admin/documents/${ids.draft}/draft`, { min: "editor" }],
  ["API keys", () => "/admin/api-keys", { min: "admin" }],
  ["users", () => "/admin/users", { min: "admin" }],
  ["account", () => "/admin/account", { min: "viewer" }],
  ["retry failed deliveries", () => `/admin/notices/${ids.notice}`, { min: "approver" }],
  ["dashboard banner", () => "/admin/embed", { min: "admin" }],
  [
    "password reset",
    () => "/admin/password-reset/not-a-real-link",
    { min: "anonymous", allowedStatus: [404] },
  ],
];

function expectOutcome(response: Response, who: Who, expectation: Expectation, autosave = false) {
  const location = response.headers.get("location") ?? "";
  if (expectation.min === "anonymous") {
    expect(expectation.allowedStatus).toContain(response.status);
  } else if (who === "anonymous") {
    if (autosave) expect(response.status).toBe(401);
    else {
      expect(response.status).toBe(302);
      expect(location).toMatch(/^\/admin\/login\?redirectTo=/);
    }
  } else if (RANK[who] < RANK[expectation.min]) {
    expect(response.status).toBe(403);
  } else {
    expect(expectation.allowedStatus ?? [200]).toContain(response.status);
  }
}

describe("every admin page, for every role", () => {
  for (const [name, path, expectation] of loaders) {
    for (const who of EVERYONE) {
      const verdict =
        expectation.min === "anonymous"
          ? `answers ${expectation.allowedStatus}`
          : who === "anonymous"
            ? "is sent to sign in"
            : RANK[who] < RANK[expectation.min]
              ? "is refused"
              : "is shown";
      it(`the ${name} page ${verdict} for ${who === "anonymous" ? "an anonymous visitor" : `a ${who}`}`, async () => {
        expectOutcome(await clients[who].get(path()), who, expectation);
      });
    }
  }
});

describe("every admin action, for every role", () => {
  for (const [name, path, expectation] of actions) {
    for (const who of EVERYONE) {
      const verdict =
        expectation.min === "anonymous"
          ? `answers ${expectation.allowedStatus} to ${who === "anonymous" ? "an anonymous visitor" : `a ${who}`}`
          : who === "anonymous"
            ? "asks an anonymous visitor to sign in"
            : RANK[who] < RANK[expectation.min]
              ? `refuses a ${who}`
              : `accepts a ${who}`;
      it(`the ${name} action ${verdict}`, async () => {
        const response = await clients[who].post(path(), {
          intent: "no-such-intent",
          revision: "1",
          content: "{}",
        });
        const allowedStatus = expectation.min === "anonymous" ? expectation.allowedStatus : [400];
        expectOutcome(response, who, { ...expectation, allowedStatus }, name === "draft autosave");
      });
    }
  }
});

describe("sign-in, CSRF and sessions", () => {
  it("refuses a form without the CSRF token even from a signed-in admin", async () => {
    const response = await clients.admin.post(
      "/admin/api-keys",
      { intent: "create-key", name: "no-token" },
      { csrf: false },
    );
    expect(response.status).toBe(403);
    expect(await (await clients.admin.get("/admin/api-keys")).text()).not.toContain("no-token");
  });

  it("refuses a form posted from another site", async () => {
    // Remix itself aborts a POST whose Origin does not match the host (500); ours answers 403 to a
    // browser that says the request is cross-site. Either way nothing is created.
    const foreignOrigin = await clients.admin.post(
      "/admin/api-keys",
      { intent: "create-key", name: "cross-origin" },
      { headers: { origin: "https://evil.example" } },
    );
    expect(foreignOrigin.status).toBeGreaterThanOrEqual(400);
    const crossSite = await clients.admin.post(
      "/admin/api-keys",
      { intent: "create-key", name: "cross-site" },
      { headers: { "sec-fetch-site": "cross-site" } },
    );
    expect(crossSite.status).toBe(403);
    const page = await (await clients.admin.get("/admin/api-keys")).text();
    expect(page).not.toContain("cross-origin");
    expect(page).not.toContain("cross-site");
  });

  it("sets the session cookie httpOnly, SameSite=Lax and Secure in production", async () => {
    const client = new AdminClient(server.url);
    const page = await (await client.get("/admin/login")).text();
    const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const response = await client.post(
      "/admin/login",
      { csrf: token, intent: "sign-in", email: "viewer@example.com", password: PASSWORD },
      { csrf: false },
    );
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("redline_session="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i);
  });

  it("refuses a sign-in without the sign-in form's token", async () => {
    const client = new AdminClient(server.url);
    const response = await client.post(
      "/admin/login",
      { intent: "sign-in", email: "viewer@example.com", password: PASSWORD },
      { csrf: false },
    );
    expect(response.status).toBe(403);
    expect(client.hasSession()).toBe(false);
  });

  it("makes a browser wait after five wrong passwords for an account, even for the right one", async () => {
    await redline(["user", "add", "target@example.com", "--role", "viewer", "--password", PASSWORD], {
      DATABASE_URL: server.databaseUrl,
    });
    const client = new AdminClient(server.url);
    for (let i = 0; i < 5; i++)
      expect((await client.signIn("target@example.com", "wrong password")).status).toBe(401);
    const locked = await client.signIn("target@example.com", PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("30");
    expect(await locked.text()).toContain("Too many failed sign-ins. Try again in 30 seconds.");
    expect(client.hasSession()).toBe(false);
  });

  it("signing out ends the session on the server, not only in the browser", async () => {
    const client = new AdminClient(server.url);
    expect((await client.signIn("viewer@example.com", PASSWORD)).status).toBe(302);
    const stolen = client.cookieHeader();
    expect((await client.post("/admin/logout", { intent: "sign-out" })).status).toBe(302);
    const replay = await fetch(`${server.url}/admin/audit`, {
      redirect: "manual",
      headers: { cookie: stolen },
    });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("location")).toMatch(/^\/admin\/login/);
  });

  it("changing your password signs out your other sessions", async () => {
    const laptop = new AdminClient(server.url);
    const phone = new AdminClient(server.url);
    await redline(["user", "add", "mover@example.com", "--role", "viewer", "--password", PASSWORD], {
      DATABASE_URL: server.databaseUrl,
    });
    await laptop.signIn("mover@example.com", PASSWORD);
    await phone.signIn("mover@example.com", PASSWORD);
    const changed = await laptop.post("/admin/account", {
      intent: "change-password",
      currentPassword: PASSWORD,
      newPassword: "another long password",
      confirmPassword: "another long password",
    });
    expect(changed.status).toBe(200);
    expect((await laptop.get("/admin/account")).status).toBe(200);
    expect((await phone.get("/admin/account")).status).toBe(302);
  });

  it("never shows an approver an Approve button for a draft they wrote, and refuses the forged request", async () => {
    const approver = clients.approver;
    const id = await newDocument(approver, "own-draft");
    const { revision } = await saveDraft(approver, id, 1, "Written by the approver.");
    await approver.post(`/admin/documents/${id}?index`, {
      intent: "submit-for-review",
      revision: String(revision),
    });
    const page = await (await approver.get(`/admin/documents/${id}/review`)).text();
    expect(page).toContain("another approver must approve it");
    expect(page).not.toMatch(/<button[^>]*value="approve"/);
    const forged = await approver.post(`/admin/documents/${id}/review`, {
      intent: "approve",
      revision: String(revision),
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain("another approver must approve it");
    const other = await new AdminClient(server.url);
    await other.signIn("approver2@example.com", PASSWORD);
    expect(
      (await other.post(`/admin/documents/${id}/review`, { intent: "approve", revision: String(revision) }))
        .status,
    ).toBe(302);
  });

  it("answers a stale autosave with 409 and keeps the newer draft", async () => {
    const editor = clients.editor;
    const first = await saveDraft(
      editor,
      ids.draft,
      (await currentRevision(ids.draft)) ?? 1,
      "First writer.",
    );
    const stale = await editor.post(`/admin/documents/${ids.draft}/draft`, {
      intent: "save-draft",
      revision: String(first.revision - 1),
      content: doc("Second writer."),
    });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ status: "conflict", currentRevision: first.revision });
    const page = await (await editor.get(`/admin/documents/${ids.draft}/versions/1`)).text();
    expect(page).toContain("First writer.");
  });
});

async function currentRevision(id: number): Promise<number | null> {
  const html = await (await clients.editor.get(`/admin/documents/${id}`)).text();
  const match = /revision <!-- -->(\d+)/.exec(html) ?? /revision (\d+)/.exec(html);
  return match ? Number(match[1]) : null;
}

describe("the admin pages do their work", () => {
  it("publishes an approved draft and lists it in the history with its people; compare shows the redline", async () => {
    const page = await (await clients.approver.get(`/admin/documents/${ids.approved}/publish`)).text();
    const revision = /name="revision" value="(\d+)"/.exec(page)?.[1] ?? "";
    const today = new Date().toISOString().slice(0, 10);
    const published = await clients.approver.post(`/admin/documents/${ids.approved}/publish`, {
      intent: "publish",
      revision,
      lastUpdated: today,
      effectiveAt: today,
      summary: "",
    });
    expect(published.status).toBe(302);
    expect(published.headers.get("location")).toBe(`/admin/documents/${ids.approved}/history?published=1`);
    const history = await (await clients.viewer.get(`/admin/documents/${ids.approved}/history`)).text();
    expect(history).toContain("editor@example.com");
    expect(history).toContain("approver@example.com");
    expect(history).toContain("Published");

    const editor = clients.editor;
    const restored = await editor.post(`/admin/documents/${ids.approved}/versions/1`, { intent: "restore" });
    expect(restored.status).toBe(302);
    const { revision: next } = await saveDraft(editor, ids.approved, 1, "Changed for review.");
    expect(next).toBe(2);
    const compare = await (
      await clients.viewer.get(`/admin/documents/${ids.approved}/compare?from=1&to=2`)
    ).text();
    expect(compare).toMatch(/<del[^>]*>Ready<\/del>/);
    expect(compare).toMatch(/<ins[^>]*>Changed<\/ins>/);
  });

  it("adds a translation as a linked document that starts from the published original", async () => {
    const created = await clients.editor.post(`/admin/documents/${ids.published}?index`, {
      intent: "create-translation",
      locale: "de",
      title: "Datenschutzerklärung",
    });
    expect(created.status).toBe(302);
    const id = /\/admin\/documents\/(\d+)\/edit/.exec(created.headers.get("location") ?? "")?.[1];
    const page = await (await clients.viewer.get(`/admin/documents/${id}`)).text();
    expect(page).toContain("This document is a translation");
    expect(page).toContain("translates version 1 of Privacy Policy (en)");
  });

  it("creates an API key that is shown once, lists it without the secret, and revokes it", async () => {
    const created = await clients.admin.post("/admin/api-keys", { intent: "create-key", name: "backend" });
    expect(created.status).toBe(200);
    const key = /(rl_[A-Za-z0-9_-]{20,})/.exec(await created.text())?.[1];
    expect(key).toBeDefined();
    const list = await (await clients.admin.get("/admin/api-keys")).text();
    expect(list).toContain("backend");
    expect(list).not.toContain(key);
    expect(
      (await clients.admin.post("/admin/api-keys", { intent: "revoke-key", name: "backend" })).status,
    ).toBe(200);
    expect(await (await clients.admin.get("/admin/api-keys")).text()).toMatch(/revoked/);
  });

  it("adds a user with a role and changes the role", async () => {
    const added = await clients.admin.post("/admin/users", {
      intent: "add-user",
      email: "new.lawyer@example.com",
      role: "editor",
      password: "",
    });
    const html = await added.text();
    expect(html).toContain("Added new.lawyer@example.com as editor.");
    const password = /class="secret">([^<]+)</.exec(html)?.[1] ?? "";
    const lawyer = new AdminClient(server.url);
    expect((await lawyer.signIn("new.lawyer@example.com", password)).status).toBe(302);
    expect((await lawyer.get("/admin/documents/1/history")).status).toBe(200);
    const row = html.split("<tr").find((r) => r.includes("<td>new.lawyer@example.com")) ?? "";
    const id = /name="userId" value="(\d+)"/.exec(row)?.[1];
    expect(id).toBeDefined();
    await clients.admin.post("/admin/users", { intent: "change-role", userId: id!, role: "viewer" });
    expect((await lawyer.post("/admin/documents?index", { intent: "no-such-intent" })).status).toBe(403);
  });

  it("shows whether the audit log's hash chain is intact, and names the first broken entry", async () => {
    expect(await (await clients.viewer.get("/admin/audit")).text()).toContain("Chain verified");
    const { default: Database } = await import("better-sqlite3");
    const sqlite = new Database(server.databaseUrl.replace(/^file:/, ""));
    sqlite.exec("DROP TRIGGER audit_log_no_update");
    sqlite.prepare("UPDATE audit_log SET action = 'tampered' WHERE id = 3").run();
    sqlite.close();
    const html = await (await clients.viewer.get("/admin/audit")).text();
    expect(html).toContain("The hash chain is broken at entry <!-- -->3");
  });
});
