/**
 * Every admin loader and action, requested over real HTTP by every role: allowed, refused with 403,
 * or sent to the sign-in page. The matrix is generated from the route files in app/routes, so a new
 * admin route fails here until its minimum role is written down. Actions are sent with an intent no
 * route understands, so an allowed request stops at validation (400) after the role and CSRF checks,
 * and nothing changes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { type Handler, readAdminRoutes } from "../support/admin-routes";
import { asOwner } from "../support/raw-sql";
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
  // Nine commands, each a process that opens the database: minutes on a loaded two-core machine.
}, 180_000);
afterAll(() => server?.stop());

/** Who may use a loader or an action, and how the matrix reaches it. */
type Access = {
  /** What the tests call it ("the users page", "the users action"). */
  name: string;
  path: () => string;
  /** The least role allowed; "anonymous": anyone, signed in or not. */
  min: Who;
  /**
   * What an allowed request gets: by default 200 for a page and 400 for an action (every action is
   * sent an intent no route understands, so it stops at validation after the role and CSRF checks).
   */
  allowedStatus?: number[];
  /** What a visitor without a session gets, when not the sign-in page with the way back. */
  anonymous?: { status: number; location?: RegExp };
  /** Text every answer carries, to tell this handler's answer from another's. */
  carries?: string;
};

/**
 * The minimum role of every admin route file's loader and action, by file name in app/routes. The
 * tests below are generated from the route files themselves: a file whose loader or action is not
 * here fails, naming the file, so a new admin route cannot be left out.
 */
const MATRIX: Record<string, { loader?: Access; action?: Access }> = {
  // The workspace layout runs before every admin page, the sign-in page included, so it answers
  // everyone; asked for alone (single fetch's `_routes`), as a browser navigating does.
  "admin.tsx": {
    loader: {
      name: "workspace layout",
      path: () => "/admin/login.data?_routes=routes%2Fadmin",
      min: "anonymous",
      allowedStatus: [200],
      carries: '"routes/admin"',
    },
  },
  "admin._index.tsx": { loader: { name: "overview", path: () => "/admin", min: "viewer" } },
  "admin.login.tsx": {
    // Someone signed in is sent on to the workspace.
    loader: {
      name: "sign-in",
      path: () => "/admin/login",
      min: "anonymous",
      allowedStatus: [302],
      anonymous: { status: 200 },
    },
    // A sign-in without the sign-in form's own token is refused, whoever sends it.
    action: { name: "sign-in", path: () => "/admin/login", min: "anonymous", allowedStatus: [403] },
  },
  "admin.logout.tsx": {
    loader: { name: "sign-out", path: () => "/admin/logout", min: "anonymous", allowedStatus: [302] },
    action: {
      name: "sign-out",
      path: () => "/admin/logout",
      min: "viewer",
      anonymous: { status: 302, location: /^\/admin\/login$/ },
    },
  },
  "admin.account.tsx": {
    loader: { name: "account", path: () => "/admin/account", min: "viewer" },
    action: { name: "account", path: () => "/admin/account", min: "viewer" },
  },
  "admin.documents._index.tsx": {
    loader: { name: "documents", path: () => "/admin/documents", min: "viewer" },
    action: { name: "create document", path: () => "/admin/documents?index", min: "editor" },
  },
  "admin.documents.$id._index.tsx": {
    loader: { name: "document", path: () => `/admin/documents/${ids.published}`, min: "viewer" },
    action: {
      name: "document workflow",
      path: () => `/admin/documents/${ids.published}?index`,
      min: "editor",
    },
  },
  "admin.documents.$id.edit.tsx": {
    loader: { name: "editor", path: () => `/admin/documents/${ids.draft}/edit`, min: "editor" },
  },
  "admin.documents.$id.draft.ts": {
    loader: {
      name: "draft endpoint",
      path: () => `/admin/documents/${ids.draft}/draft`,
      min: "editor",
      allowedStatus: [302],
    },
    // The editor's autosave is a fetch, not a page: it is told, not redirected.
    action: {
      name: "draft autosave",
      path: () => `/admin/documents/${ids.draft}/draft`,
      min: "editor",
      anonymous: { status: 401 },
    },
  },
  "admin.documents.$id.review.tsx": {
    loader: { name: "review", path: () => `/admin/documents/${ids.review}/review`, min: "viewer" },
    action: { name: "review", path: () => `/admin/documents/${ids.review}/review`, min: "approver" },
  },
  "admin.documents.$id.publish.tsx": {
    loader: { name: "publish", path: () => `/admin/documents/${ids.approved}/publish`, min: "approver" },
    action: { name: "publish", path: () => `/admin/documents/${ids.approved}/publish`, min: "approver" },
  },
  "admin.documents.$id.notice-preview.ts": {
    loader: {
      name: "notice preview",
      path: () => `/admin/documents/${ids.approved}/notice-preview`,
      min: "approver",
    },
    action: {
      name: "test notice",
      path: () => `/admin/documents/${ids.approved}/notice-preview`,
      min: "approver",
    },
  },
  "admin.documents.$id.history.tsx": {
    loader: { name: "history", path: () => `/admin/documents/${ids.published}/history`, min: "viewer" },
  },
  // A version compared with itself is a 400 for those allowed to compare (the role check comes first).
  "admin.documents.$id.compare.tsx": {
    loader: {
      name: "compare",
      path: () => `/admin/documents/${ids.published}/compare?from=1&to=1`,
      min: "viewer",
      allowedStatus: [400],
    },
  },
  // The same roles as the pages they mirror; a version compared with itself is a 400 here too.
  "admin.documents.$id.compare_.pdf.ts": {
    loader: {
      name: "compare PDF",
      path: () => `/admin/documents/${ids.published}/compare/pdf?from=1&to=1`,
      min: "viewer",
      allowedStatus: [400],
    },
  },
  "admin.documents.$id.versions.$number_.pdf.ts": {
    loader: {
      name: "version PDF",
      path: () => `/admin/documents/${ids.published}/versions/1/pdf`,
      min: "viewer",
    },
  },
  "admin.documents.$id.versions.$number.tsx": {
    loader: { name: "version", path: () => `/admin/documents/${ids.published}/versions/1`, min: "viewer" },
    action: { name: "restore", path: () => `/admin/documents/${ids.published}/versions/1`, min: "editor" },
  },
  "admin.audit.tsx": { loader: { name: "audit log", path: () => "/admin/audit", min: "viewer" } },
  "admin.audit_.export.ts": {
    loader: { name: "audit log export", path: () => "/admin/audit/export?format=jsonl", min: "viewer" },
  },
  "admin.api-keys.tsx": {
    loader: { name: "API keys", path: () => "/admin/api-keys", min: "admin" },
    action: { name: "API keys", path: () => "/admin/api-keys", min: "admin" },
  },
  "admin.users.tsx": {
    loader: { name: "users", path: () => "/admin/users", min: "admin" },
    action: { name: "users", path: () => "/admin/users", min: "admin" },
  },
  "admin.notices._index.tsx": { loader: { name: "notices", path: () => "/admin/notices", min: "viewer" } },
  "admin.notices.$noticeId.tsx": {
    loader: { name: "notice progress", path: () => `/admin/notices/${ids.notice}`, min: "viewer" },
    action: { name: "retry failed deliveries", path: () => `/admin/notices/${ids.notice}`, min: "approver" },
  },
  "admin.notices.mail.tsx": {
    loader: { name: "captured mail", path: () => "/admin/notices/mail", min: "admin" },
  },
  // No message has that id: an admin gets the preview's 404, everyone else never reaches the lookup.
  "admin.notices.mail_.$id.html.ts": {
    loader: {
      name: "captured mail preview",
      path: () => "/admin/notices/mail/none/html",
      min: "admin",
      allowedStatus: [404],
    },
  },
  "admin.subscribers._index.tsx": {
    loader: { name: "subscribers", path: () => "/admin/subscribers", min: "viewer" },
    // Erasing a public subscriber's address (ADR 0029).
    action: { name: "public subscriber erasure", path: () => "/admin/subscribers", min: "admin" },
  },
  "admin.subscribers.$externalId.tsx": {
    loader: { name: "subscriber", path: () => "/admin/subscribers/user-1", min: "viewer" },
    action: { name: "erase subscriber", path: () => "/admin/subscribers/user-1", min: "admin" },
  },
  // The CSV upload is a script's request, not a page: a visitor without a session is told (401), and a
  // form body is not a CSV (415) once the role check passed. An upload itself is covered in
  // test/integration/subscribers-workspace.test.ts.
  "admin.imports.subscribers.ts": {
    action: {
      name: "subscribers upload",
      path: () => "/admin/imports/subscribers",
      min: "admin",
      allowedStatus: [415],
      anonymous: { status: 401 },
    },
  },
  "admin.audiences.count.ts": {
    loader: { name: "audience count", path: () => "/admin/audiences/count?audience=", min: "viewer" },
  },
  "admin.acknowledgements._index.tsx": {
    loader: { name: "acknowledgements", path: () => "/admin/acknowledgements", min: "viewer" },
  },
  "admin.acknowledgements.$noticeId._index.tsx": {
    loader: {
      name: "acknowledgements of a notice",
      path: () => `/admin/acknowledgements/${ids.notice}`,
      min: "viewer",
    },
  },
  "admin.acknowledgements.$noticeId.csv.tsx": {
    loader: {
      name: "acknowledgements CSV",
      path: () => `/admin/acknowledgements/${ids.notice}/csv`,
      min: "viewer",
    },
  },
  "admin.embed.tsx": {
    loader: { name: "dashboard banner", path: () => "/admin/embed", min: "admin" },
    action: { name: "dashboard banner", path: () => "/admin/embed", min: "admin" },
  },
  "admin.branding.tsx": {
    loader: { name: "branding", path: () => "/admin/branding", min: "admin" },
    action: { name: "branding", path: () => "/admin/branding", min: "admin" },
  },
  // Single sign-on is not configured here: both answer 404 to everyone. Configured, the sign-in and its
  // refusals are covered by test/integration/single-sign-on.test.ts.
  "admin.sso.start.tsx": {
    loader: {
      name: "single sign-on start",
      path: () => "/admin/sso/start",
      min: "anonymous",
      allowedStatus: [404],
    },
  },
  "admin.sso.$.tsx": {
    loader: {
      name: "single sign-on callback",
      path: () => "/admin/sso/callback?code=x&state=y",
      min: "anonymous",
      allowedStatus: [404],
    },
  },
  // A made-up password-reset link: refused alike for everyone, signed in or not, whatever the role.
  "admin.password-reset.$token.tsx": {
    loader: {
      name: "password reset",
      path: () => "/admin/password-reset/not-a-real-link",
      min: "anonymous",
      allowedStatus: [404],
    },
    action: {
      name: "password reset",
      path: () => "/admin/password-reset/not-a-real-link",
      min: "anonymous",
      allowedStatus: [404],
    },
  },
};

/** The admin route files as Remix reads them, with the handlers each exports. */
const adminRoutes = readAdminRoutes();

function expectOutcome(response: Response, who: Who, access: Access, allowedByDefault: number) {
  const location = response.headers.get("location") ?? "";
  if (who === "anonymous" && access.anonymous) {
    expect(response.status).toBe(access.anonymous.status);
    if (access.anonymous.location) expect(location).toMatch(access.anonymous.location);
  } else if (access.min === "anonymous") {
    expect(access.allowedStatus).toContain(response.status);
  } else if (who === "anonymous") {
    expect(response.status).toBe(302);
    expect(location).toMatch(/^\/admin\/login\?redirectTo=/);
  } else if (RANK[who] < RANK[access.min]) {
    expect(response.status).toBe(403);
  } else {
    expect(access.allowedStatus ?? [allowedByDefault]).toContain(response.status);
  }
}

/** "is shown for a viewer", "refuses an editor", … — how the generated tests read. */
function verdict(access: Access, who: Who, handler: Handler): string {
  const visitor = who === "anonymous" ? "an anonymous visitor" : `a ${who}`;
  if (who === "anonymous" && access.anonymous) return `answers ${access.anonymous.status} to ${visitor}`;
  if (access.min === "anonymous") return `answers ${access.allowedStatus} to ${visitor}`;
  if (who === "anonymous")
    return handler === "loader"
      ? "sends an anonymous visitor to sign in"
      : "asks an anonymous visitor to sign in";
  if (RANK[who] < RANK[access.min]) return `refuses ${visitor}`;
  return handler === "loader" ? `is shown to ${visitor}` : `accepts ${visitor}`;
}

describe("the route × role matrix", () => {
  it("is read from the admin route files", () => {
    expect(adminRoutes.map((route) => route.file)).toContain("admin.users.tsx");
    expect(adminRoutes.find((route) => route.file === "admin.users.tsx")?.handlers).toEqual([
      "loader",
      "action",
    ]);
  });

  it("names no route file or handler that does not exist", () => {
    const stale = Object.entries(MATRIX).flatMap(([file, entry]) =>
      (["loader", "action"] as const)
        .filter((handler) => entry[handler])
        .filter((handler) => !adminRoutes.find((route) => route.file === file)?.handlers.includes(handler))
        .map((handler) => `${file}: ${handler}`),
    );
    expect(stale).toEqual([]);
  });
});

for (const { file, handlers } of adminRoutes) {
  describe(file, () => {
    for (const handler of handlers) {
      const access = MATRIX[file]?.[handler];
      if (!access) {
        it(`has the minimum role of its ${handler} in the matrix`, () => {
          throw new Error(
            `app/routes/${file} exports a ${handler} that test/integration/admin-routes.test.ts does not check: add it to MATRIX with its minimum role`,
          );
        });
        continue;
      }
      for (const who of EVERYONE) {
        const what = `the ${access.name} ${handler === "loader" ? "page" : "action"}`;
        it(`${what} ${verdict(access, who, handler)}`, async () => {
          const response =
            handler === "loader"
              ? await clients[who].get(access.path())
              : await clients[who].post(access.path(), {
                  intent: "no-such-intent",
                  revision: "1",
                  content: "{}",
                });
          expectOutcome(response, who, access, handler === "loader" ? 200 : 400);
          if (access.carries) expect(await response.text()).toContain(access.carries);
        });
      }
    }
  });
}

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
    // One word each way: counted as one, not "1 words".
    expect(compare.replaceAll("<!-- -->", "")).toContain(": 1 word added, 1 removed.");
  });

  it("asks for two versions, inside the workspace, when compare is opened without them", async () => {
    const response = await clients.viewer.get(`/admin/documents/${ids.published}/compare`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('aria-label="Workspace"');
    expect(html).toContain("Choose two versions to compare");
    expect(html).toContain(`href="/admin/documents/${ids.published}/history"`);
    // A refused comparison is an error page that still has the workspace's navigation.
    const same = await clients.viewer.get(`/admin/documents/${ids.published}/compare?from=1&to=1`);
    expect(same.status).toBe(400);
    expect(await same.text()).toContain('aria-label="Workspace"');
  });

  it('calls the version in effect "In effect" while a later one is upcoming, as the public site does', async () => {
    const env = { DATABASE_URL: server.databaseUrl };
    const file = join(server.directory, "dated.md");
    const publish = async (text: string, effective: string) => {
      writeFileSync(file, `# Dated policy\n\n## 1. Retention\n\n${text}\n`);
      expect((await redline(["import", "dated", file], env)).code).toBe(0);
      expect((await redline(["publish", "dated", "--effective", effective], env)).code).toBe(0);
    };
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await publish("We keep data 12 months.", day(0));
    // Publishing version 2 marks version 1 replaced in the database; it stays in effect until day 40.
    await publish("We keep data 24 months.", day(40));
    const list = await (await clients.viewer.get("/admin/documents")).text();
    const id = /href="\/admin\/documents\/(\d+)"[^>]*>Dated policy</.exec(list)?.[1];
    expect(id).toBeDefined();
    const history = await (await clients.viewer.get(`/admin/documents/${id}/history`)).text();
    // React separates "Version " and the number with an empty comment in server-rendered HTML.
    const row = (n: number) =>
      history.split("<tr").find((r) => new RegExp(`>Version (<!-- -->)?${n}<`).test(r)) ?? "";
    expect(row(1)).toContain("In effect");
    expect(row(1)).not.toContain("Superseded");
    expect(row(2)).toContain("Upcoming");
    const page = await (await clients.viewer.get(`/admin/documents/${id}/versions/1`)).text();
    expect(page).toContain("In effect");
    expect(
      (await (await fetch(`${server.url}/policies/dated/versions`)).text()).match(/In effect|Upcoming/g),
    ).toEqual(["Upcoming", "In effect"]);
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
    await asOwner("UPDATE audit_log SET action = 'tampered' WHERE id = 3", [], {
      tables: ["audit_log"],
      databaseUrl: server.databaseUrl,
    });
    const html = await (await clients.viewer.get("/admin/audit")).text();
    expect(html).toContain("The hash chain is broken at entry <!-- -->3");
  });
});
