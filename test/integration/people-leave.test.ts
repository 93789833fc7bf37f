/**
 * People who leave, and people who forgot their password, over real HTTP against the real server:
 * deactivation (sessions end at once, sign-in refused, history stays theirs, last admin kept) and
 * admin-issued one-time password-reset links, in the workspace and on the command line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "people password 123";
let server: RunningServer;
let admin: AdminClient;
// The command line runs with the server's settings (the session secret keys the throttle counters).
const cli = (...args: string[]) =>
  redline(args, { DATABASE_URL: server.databaseUrl, SESSION_SECRET: "s".repeat(40) });

async function addUser(email: string, role = "editor") {
  const response = await admin.post("/admin/users", { intent: "add-user", email, role, password: PASSWORD });
  expect(response.status).toBe(200);
}

async function userIdOf(email: string): Promise<string> {
  const html = await (await admin.get("/admin/users")).text();
  const row = html.split("<tr").find((r) => r.includes(`<td>${email}`)) ?? "";
  return /name="userId" value="(\d+)"/.exec(row)?.[1] ?? "";
}

async function usersAction(intent: string, email: string) {
  return admin.post("/admin/users", { intent, userId: await userIdOf(email) });
}

async function signedIn(email: string, password = PASSWORD) {
  const client = new AdminClient(server.url);
  expect((await client.signIn(email, password)).status).toBe(302);
  return client;
}

/** The reset link shown once in an answer of the Users page. */
function linkIn(html: string): string {
  const link = /<code class="secret">(https?:\/\/[^<]+\/admin\/password-reset\/[^<]+)<\/code>/.exec(
    html,
  )?.[1];
  expect(link).toBeDefined();
  return new URL(link!).pathname;
}

/** Sets a new password through a reset link, as the person who received it. */
async function useLink(client: AdminClient, path: string, password: string, confirm = password) {
  const page = await client.get(path);
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return client.post(
    path,
    { csrf: token, intent: "set-password", newPassword: password, confirmPassword: confirm },
    { csrf: false },
  );
}

beforeAll(async () => {
  server = await startServer();
  expect(
    (await cli("user", "add", "admin@example.com", "--role", "admin", "--password", PASSWORD)).code,
  ).toBe(0);
  admin = await signedIn("admin@example.com");
  // The first start's admin login has done its job: admin@example.com is the one active admin.
  expect((await cli("user", "deactivate", "admin@redline.localhost")).code).toBe(0);
});
afterAll(() => server?.stop());

describe("deactivating someone who left", () => {
  it("ends their sessions at once, refuses their sign-in by name, and keeps what they did attributed to them", async () => {
    await addUser("leaver@example.com");
    const laptop = await signedIn("leaver@example.com");
    const phone = await signedIn("leaver@example.com");
    const created = await laptop.post("/admin/documents?index", {
      intent: "create-document",
      slug: "leaver-doc",
      title: "Written by the leaver",
      locale: "en",
    });
    expect(created.status).toBe(302);
    const documentId = /\/admin\/documents\/(\d+)\/edit/.exec(created.headers.get("location") ?? "")?.[1];

    const deactivated = await usersAction("deactivate", "leaver@example.com");
    expect(deactivated.status).toBe(200);
    expect(await deactivated.text()).toContain(
      "Deactivated leaver@example.com: they cannot sign in, and 2 sessions were ended.",
    );

    for (const client of [laptop, phone]) {
      const page = await client.get("/admin/documents");
      expect(page.status).toBe(302);
      expect(page.headers.get("location")).toMatch(/^\/admin\/login/);
    }
    const autosave = await laptop.post(`/admin/documents/${documentId}/draft`, {
      intent: "save-draft",
      revision: "1",
      content: "{}",
    });
    expect(autosave.status).toBe(401);

    const refused = await new AdminClient(server.url).signIn("leaver@example.com", PASSWORD);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("This account has been deactivated. Ask an admin");
    // Without the password nobody learns that the account exists, let alone that it was deactivated.
    const guess = await new AdminClient(server.url).signIn("leaver@example.com", "not the password");
    expect(guess.status).toBe(401);

    const history = await (await admin.get(`/admin/documents/${documentId}/history`)).text();
    expect(history).toContain("leaver@example.com");
    const audit = await (await admin.get("/admin/audit")).text();
    expect(audit).toContain("user.deactivated");
    const users = await (await admin.get("/admin/users")).text();
    const row = users.split("<tr").find((r) => r.includes("<td>leaver@example.com")) ?? "";
    expect(row).toContain("Deactivated");
    expect(row).toContain('value="reactivate"');
    expect(row).not.toContain('value="deactivate"');
  });

  it("lets an admin reactivate them, after which they sign in again", async () => {
    await addUser("returner@example.com");
    expect((await usersAction("deactivate", "returner@example.com")).status).toBe(200);
    expect((await new AdminClient(server.url).signIn("returner@example.com", PASSWORD)).status).toBe(403);
    const reactivated = await usersAction("reactivate", "returner@example.com");
    expect(await reactivated.text()).toContain("Reactivated returner@example.com");
    const back = await signedIn("returner@example.com");
    expect((await back.get("/admin/documents")).status).toBe(200);
  });

  it("keeps an active admin: nobody deactivates themselves, and the last active admin stays", async () => {
    const self = await admin.post("/admin/users", {
      intent: "deactivate",
      userId: await userIdOf("admin@example.com"),
    });
    expect(self.status).toBe(400);
    expect(await self.text()).toContain("You cannot deactivate your own account; ask another admin.");

    const last = await cli("user", "deactivate", "admin@example.com");
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/the last active admin cannot be deactivated/);

    // A deactivated admin does not count: the only active one cannot be demoted either.
    await addUser("old.admin@example.com", "admin");
    expect((await usersAction("deactivate", "old.admin@example.com")).status).toBe(200);
    const demoted = await admin.post("/admin/users", {
      intent: "change-role",
      userId: await userIdOf("admin@example.com"),
      role: "viewer",
    });
    expect(demoted.status).toBe(400);
    expect(await demoted.text()).toContain("The last admin cannot lose the admin role.");
    expect((await admin.get("/admin/users")).status).toBe(200);
  });

  it("refuses a new login for the email of a deactivated person and says what to do instead", async () => {
    await addUser("gone@example.com");
    await usersAction("deactivate", "gone@example.com");
    const again = await admin.post("/admin/users", {
      intent: "add-user",
      email: "gone@example.com",
      role: "viewer",
      password: PASSWORD,
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("belongs to a deactivated user; reactivate them instead");
  });
});

describe("one-time password-reset links", () => {
  it("shows the link once, stores only its hash, sets a new password once and ends every session", async () => {
    await addUser("forgetful@example.com");
    const oldSession = await signedIn("forgetful@example.com");
    const issued = await usersAction("issue-reset-link", "forgetful@example.com");
    expect(issued.status).toBe(200);
    const issuedHtml = await issued.text();
    expect(issuedHtml).toContain("Give this link to forgetful@example.com");
    const path = linkIn(issuedHtml);
    const token = path.split("/").pop()!;
    expect(await (await admin.get("/admin/users")).text()).not.toContain(token);
    const stored = JSON.stringify(await rawSql(server.databaseUrl, "SELECT * FROM password_resets"));
    expect(stored).not.toContain(token);

    const person = new AdminClient(server.url);
    const page = await person.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await page.text()).toContain("For forgetful@example.com.");

    const short = await useLink(person, path, "too short");
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("at least 12 characters");
    const mismatch = await useLink(person, path, "a long new password", "another long password");
    expect(mismatch.status).toBe(400);

    const set = await useLink(person, path, "my fresh new password");
    expect(set.status).toBe(302);
    expect(set.headers.get("location")).toBe("/admin/login?passwordReset=1");
    expect(await (await person.get("/admin/login?passwordReset=1")).text()).toContain(
      "Your new password is set.",
    );

    expect((await oldSession.get("/admin/documents")).status).toBe(302);
    expect((await new AdminClient(server.url).signIn("forgetful@example.com", PASSWORD)).status).toBe(401);
    expect((await person.signIn("forgetful@example.com", "my fresh new password")).status).toBe(302);

    const reused = await new AdminClient(server.url).get(path);
    expect(reused.status).toBe(404);
    expect(await reused.text()).toContain("This password-reset link does not work");
    const replayed = await useLink(new AdminClient(server.url), path, "yet another password");
    expect(replayed.status).toBe(404);

    const audit = await (await admin.get("/admin/audit")).text();
    expect(audit).toContain("user.password-reset-issued");
    expect(audit).toContain("user.password-reset");
  });

  it("lets one of two simultaneous submissions of a link win", async () => {
    await addUser("racer@example.com");
    const path = linkIn(await (await usersAction("issue-reset-link", "racer@example.com")).text());
    const tabs = [new AdminClient(server.url), new AdminClient(server.url)];
    const tokens = await Promise.all(
      tabs.map(
        async (tab) => /name="csrf" value="([^"]+)"/.exec(await (await tab.get(path)).text())?.[1] ?? "",
      ),
    );
    const results = await Promise.all(
      tabs.map((tab, i) =>
        tab.post(
          path,
          {
            csrf: tokens[i],
            intent: "set-password",
            newPassword: `racing password ${i}`,
            confirmPassword: `racing password ${i}`,
          },
          { csrf: false },
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([302, 400]);
  });

  it("refuses an expired link, a replaced link and the link of someone deactivated", async () => {
    await addUser("expiring@example.com");
    const expired = linkIn(await (await usersAction("issue-reset-link", "expiring@example.com")).text());
    await rawSql(
      server.databaseUrl,
      "UPDATE password_resets SET expires_at = '2000-01-01T00:00:00.000Z' WHERE used_at IS NULL",
    );
    expect((await new AdminClient(server.url).get(expired)).status).toBe(404);

    const first = linkIn(await (await usersAction("issue-reset-link", "expiring@example.com")).text());
    const second = linkIn(await (await usersAction("issue-reset-link", "expiring@example.com")).text());
    expect((await new AdminClient(server.url).get(first)).status).toBe(404);
    expect((await new AdminClient(server.url).get(second)).status).toBe(200);

    await usersAction("deactivate", "expiring@example.com");
    expect((await new AdminClient(server.url).get(second)).status).toBe(404);
    const refused = await usersAction("issue-reset-link", "expiring@example.com");
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("is deactivated; reactivate them first");
  });
});

// Each command starts a Node process: on a busy machine that takes seconds.
describe("the user command line", { timeout: 120_000 }, () => {
  it("deactivates and reactivates by email, and names an unknown email", async () => {
    await addUser("cli.person@example.com");
    const session = await signedIn("cli.person@example.com");
    const off = await cli("user", "deactivate", "CLI.Person@example.com");
    expect(off.code).toBe(0);
    expect(off.stdout).toBe("deactivated cli.person@example.com (1 session ended)\n");
    expect((await session.get("/admin/documents")).status).toBe(302);

    expect((await cli("user", "reactivate", "cli.person@example.com")).stdout).toBe(
      "reactivated cli.person@example.com\n",
    );
    const unknown = await cli("user", "deactivate", "nobody@example.com");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("redline: no user has the email nobody@example.com\n");
  });

  it("prints a reset link that works in the browser, and lifts an account's sign-in limits", async () => {
    await addUser("cli.person2@example.com");
    const reset = await cli("user", "reset", "cli.person2@example.com");
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/one-time link for cli.person2@example.com, valid until \d{4}-/);
    const path = new URL(reset.stdout.trim()).pathname;
    expect((await useLink(new AdminClient(server.url), path, "set on the command line")).status).toBe(302);
    expect(
      (await new AdminClient(server.url).signIn("cli.person2@example.com", "set on the command line")).status,
    ).toBe(302);

    const stranger = new AdminClient(server.url);
    for (let i = 0; i < 5; i++) await stranger.signIn("cli.person2@example.com", "wrong password");
    expect((await stranger.signIn("cli.person2@example.com", "set on the command line")).status).toBe(429);
    expect((await cli("user", "unlock", "cli.person2@example.com")).stdout).toMatch(
      /^lifted the sign-in limits of cli.person2@example.com \([1-9]\d* counters? cleared\)\n$/,
    );
    expect((await stranger.signIn("cli.person2@example.com", "set on the command line")).status).toBe(302);
  });
});
