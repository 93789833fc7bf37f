/**
 * Single sign-on against a real OpenID provider (`oidc-provider`, in this process on a loopback port)
 * over HTTP, with the real server: the Authorization Code flow with PKCE, state and nonce; roles from
 * the provider's groups at every sign-in; people removed from their group losing access; every
 * tampered, replayed, expired or wrongly signed answer refused with a page that says what to do and an
 * audit entry without tokens; passwords off except for break-glass admins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "../support/admin-client";
import { signInThroughProvider, startIdp, type TestIdp, WebClient } from "../support/oidc-provider";
import { rawSql } from "../support/raw-sql";
import { freePort, type RunningServer, redline, startServer } from "../support/server";

const PASSWORD = "break glass password 1";
let idp: TestIdp;
let server: RunningServer;

/** An audit entry's details: text on SQLite, parsed already by PostgreSQL's driver. */
const details = (value: unknown): Record<string, unknown> =>
  typeof value === "string" ? JSON.parse(value) : (value as Record<string, unknown>);

async function auditEntries(
  action: string,
  databaseUrl = server.databaseUrl,
): Promise<Record<string, unknown>[]> {
  const rows = await rawSql<{ details: unknown }>(
    databaseUrl,
    "SELECT details FROM audit_log WHERE action = ? ORDER BY id",
    [action],
  );
  return rows.map((row) => details(row.details));
}

async function userRow(email: string) {
  const [row] = await rawSql<{
    id: number;
    role: string;
    oidc_subject: string | null;
    oidc_issuer: string | null;
  }>(server.databaseUrl, "SELECT * FROM users WHERE email = ?", [email]);
  return row;
}

async function signIn(login: string, options: Parameters<typeof signInThroughProvider>[2] = { login }) {
  const client = new WebClient();
  const result = await signInThroughProvider(client, server.url, { ...options, login });
  return { client, ...result };
}

/** The page Redline answers at its callback, as text. */
async function pageOf(response: Response) {
  return (await response.text())
    .replace(/<!-- -->/g, "")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"');
}

beforeAll(async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  idp = await startIdp({
    redirectUri: `${url}/admin/sso/callback`,
    postLogoutRedirectUri: `${url}/admin/login?signedOut=1`,
    people: {
      "alice-sub": { email: "alice@example.com", name: "Alice Lawyer", groups: ["legal-editors"] },
      "bob-sub": { email: "bob@example.com", groups: ["marketing"] },
      "carol-sub": { email: "carol@example.com", groups: ["legal-leads", "legal-editors"] },
      "dave-sub": { email: "taken@example.com", groups: ["legal-editors"] },
      "erin-sub": { email: "erin@example.com", groups: ["legal-editors"] },
    },
  });
  server = await startServer({
    PORT: String(port),
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_SCOPES: "groups",
    OIDC_PROVIDER_NAME: "Test IdP",
    OIDC_ROLE_CLAIM: "groups",
    OIDC_ROLE_MAP: JSON.stringify({
      "legal-editors": "editor",
      "legal-leads": "approver",
      "legal-admins": "admin",
    }),
    AUTH_PASSWORDS: "off",
  });
  const env = { DATABASE_URL: server.databaseUrl };
  expect(
    (
      await redline(
        ["user", "add", "glass@example.com", "--role", "admin", "--password", PASSWORD, "--break-glass"],
        env,
      )
    ).code,
  ).toBe(0);
  expect(
    (await redline(["user", "add", "taken@example.com", "--role", "viewer", "--password", PASSWORD], env))
      .code,
  ).toBe(0);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await idp?.stop();
});

describe("signing in through the provider", () => {
  it("offers “Sign in with Test IdP” beside the break-glass password form", async () => {
    const html = await pageOf(await new AdminClient(server.url).get("/admin/login"));
    expect(html).toContain("Sign in with Test IdP");
    expect(html).toMatch(/Passwords are turned off/);
    expect(html).toContain('name="password"');
  });

  it("sends the browser to the provider with PKCE (S256), state, nonce and the configured scopes", async () => {
    const client = new WebClient();
    const start = await client.request(`${server.url}/admin/sso/start`);
    expect(start.status).toBe(302);
    const authorization = new URL(start.headers.get("location") ?? "");
    expect(authorization.origin).toBe(idp.issuer);
    const params = authorization.searchParams;
    expect(params.get("response_type")).toBe("code");
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(params.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(params.get("nonce")).toMatch(/^[\w-]{20,}$/);
    expect(params.get("redirect_uri")).toBe(`${server.url}/admin/sso/callback`);
    expect(params.get("scope")?.split(" ").sort()).toEqual(["email", "groups", "openid", "profile"]);
  });

  it("creates a person on first sign-in, matched by the provider's subject, with the role of their group", async () => {
    const { client, response } = await signIn("alice-sub");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/admin");
    const overview = await client.request(`${server.url}/admin`);
    expect(overview.status).toBe(200);
    const user = await userRow("alice@example.com");
    expect(user).toMatchObject({ role: "editor", oidc_subject: "alice-sub", oidc_issuer: idp.issuer });
    expect((await auditEntries("user.created")).at(-1)).toMatchObject({
      email: "alice@example.com",
      role: "editor",
      via: "sso",
      groups: ["legal-editors"],
    });
  });

  it("gives the most powerful role of the mapped groups", async () => {
    const { response } = await signIn("carol-sub");
    expect(response.status).toBe(302);
    expect((await userRow("carol@example.com"))?.role).toBe("approver");
  });

  it("changes the role at the next sign-in when the groups change, and audits it", async () => {
    idp.people.get("alice-sub")!.groups = ["legal-leads"];
    const { response } = await signIn("alice-sub");
    expect(response.status).toBe(302);
    expect((await userRow("alice@example.com"))?.role).toBe("approver");
    expect((await auditEntries("user.role-changed")).at(-1)).toMatchObject({
      email: "alice@example.com",
      from: "editor",
      to: "approver",
      via: "sso",
    });
    // The same row: found by subject, not created again.
    const found = await rawSql(server.databaseUrl, "SELECT id FROM users WHERE oidc_subject = 'alice-sub'");
    expect(found).toHaveLength(1);
  });

  it("refuses someone without a mapped group, saying what to do", async () => {
    const { response } = await signIn("bob-sub");
    expect(response.status).toBe(403);
    const page = await pageOf(response);
    expect(page).toContain("Your account has no access to Redline");
    expect(page).toMatch(/Ask your IT team or a Redline admin/);
    expect(await userRow("bob@example.com")).toBeUndefined();
    expect((await auditEntries("user.sso-refused")).at(-1)).toMatchObject({
      subject: "bob-sub",
      reason: "no-role",
    });
  });

  it("ends access of someone removed from the group: refused at the next sign-in, their open sessions ended", async () => {
    const first = await signIn("erin-sub");
    expect(first.response.status).toBe(302);
    expect((await first.client.request(`${server.url}/admin`)).status).toBe(200);
    idp.people.get("erin-sub")!.groups = ["former-staff"];
    const again = await signIn("erin-sub");
    expect(again.response.status).toBe(403);
    // The session opened before is gone too.
    const before = await first.client.request(`${server.url}/admin`);
    expect(before.status).toBe(302);
    expect(before.headers.get("location")).toMatch(/^\/admin\/login/);
    expect((await auditEntries("user.sso-refused")).at(-1)).toMatchObject({
      subject: "erin-sub",
      reason: "no-role",
      sessionsEnded: 1,
    });
  });

  it("never joins an account by email alone", async () => {
    const { response } = await signIn("dave-sub");
    expect(response.status).toBe(409);
    expect(await pageOf(response)).toContain("Another Redline account already uses your email address");
    expect(await userRow("taken@example.com")).toMatchObject({ role: "viewer", oidc_subject: null });
  });

  it("signs in to an existing account once an admin links it to the provider's subject", async () => {
    const refused = await pageOf((await signIn("dave-sub")).response);
    expect(refused).toContain("subject dave-sub");
    // The command line runs with the server's settings.
    const ok = await redline(["user", "link-sso", "taken@example.com", "--subject", "dave-sub"], {
      DATABASE_URL: server.databaseUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_ROLE_MAP: '{"legal-editors":"editor"}',
    });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const { response } = await signIn("dave-sub");
    expect(response.status).toBe(302);
    // The role is the provider's from now on.
    expect(await userRow("taken@example.com")).toMatchObject({ role: "editor", oidc_subject: "dave-sub" });
    expect((await auditEntries("user.sso-linked")).at(-1)).toMatchObject({
      email: "taken@example.com",
      subject: "dave-sub",
    });
  });

  it("reads email and groups from userinfo when the provider leaves them out of the ID token", async () => {
    idp.people.set("frank-sub", { email: "frank@example.com", groups: ["legal-leads"] });
    idp.claimsOnlyAtUserinfo = true;
    await idp.restart();
    try {
      const { response } = await signIn("frank-sub");
      expect(response.status).toBe(302);
      expect(await userRow("frank@example.com")).toMatchObject({
        role: "approver",
        oidc_subject: "frank-sub",
      });
    } finally {
      idp.claimsOnlyAtUserinfo = false;
      await idp.restart();
    }
  });

  it("explains a denied consent", async () => {
    const { response } = await signIn("alice-sub", { login: "alice-sub", deny: true });
    expect(response.status).toBe(403);
    expect(await pageOf(response)).toContain("The sign-in was cancelled");
    expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({
      reason: "consent-denied",
      detail: "access_denied",
    });
  });
});

describe("answers that are refused", () => {
  it("refuses a tampered state", async () => {
    const { response } = await signIn("alice-sub", {
      login: "alice-sub",
      changeCallback: (url) => {
        url.searchParams.set("state", `${url.searchParams.get("state")}x`);
        return url;
      },
    });
    expect(response.status).toBe(400);
    expect(await pageOf(response)).toContain("did not match the sign-in you started");
    expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({ reason: "tampered-response" });
  });

  it("refuses a replayed code, even with the sign-in's own cookie", async () => {
    const client = new WebClient();
    // Keep the cookie of the sign-in in progress, as an attacker who copied it would.
    const start = await client.request(`${server.url}/admin/sso/start`);
    const kept = client.cookies(server.url);
    const relay = new WebClient();
    relay.setCookies(server.url, kept);
    let url = WebClient.next(start, `${server.url}/admin/sso/start`);
    while (!url.startsWith(server.url)) {
      const response = /\/interaction\//.test(url)
        ? await client.request(url, { form: { login: "alice-sub", choice: "allow" } })
        : await client.request(url);
      url = WebClient.next(response, url);
    }
    expect((await client.request(url)).status).toBe(302);
    // The same answer again in the same browser: that sign-in is over.
    const again = await client.request(url);
    expect(again.status).toBe(400);
    expect(await pageOf(again)).toContain("This sign-in was not started in this browser");
    // With the copied cookie: the provider refuses the used code.
    const replay = await relay.request(url);
    expect(replay.status).toBe(400);
    expect(await pageOf(replay)).toContain("This sign-in answer was already used");
    expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({ reason: "replayed-response" });
  });

  it("refuses an ID token with another nonce", async () => {
    const { response } = await signIn("alice-sub", {
      login: "alice-sub",
      changeAuthorization: (url) => {
        url.searchParams.set("nonce", "a-nonce-this-browser-never-sent");
        return url;
      },
    });
    expect(response.status).toBe(400);
    expect(await pageOf(response)).toContain("could not be verified");
    expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({
      reason: "invalid-token",
      detail: expect.stringMatching(/nonce/),
    });
  });

  it("refuses an expired ID token", async () => {
    idp.clockOffsetSeconds = -600;
    try {
      const { response } = await signIn("alice-sub");
      expect(response.status).toBe(400);
      expect(await pageOf(response)).toContain("The identity provider's answer has expired");
      expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({
        reason: "token-expired",
        detail: expect.stringMatching(/exp/),
      });
    } finally {
      idp.clockOffsetSeconds = 0;
    }
  });

  it("names clock skew when the token was issued in the future", async () => {
    idp.clockOffsetSeconds = 600;
    try {
      const { response } = await signIn("alice-sub");
      expect(response.status).toBe(400);
      expect(await pageOf(response)).toContain("clocks of Redline and the identity provider disagree");
      expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({ reason: "clock-skew" });
    } finally {
      idp.clockOffsetSeconds = 0;
    }
  });

  it("follows a key rotation at once, and refuses a token signed with the retired key", async () => {
    const retired = await idp.rotateKey();
    const rotated = await signIn("alice-sub");
    expect(rotated.response.status).toBe(302);
    idp.forgeWith = retired;
    try {
      const { response } = await signIn("alice-sub");
      expect(response.status).toBe(400);
      expect(await pageOf(response)).toContain("could not be verified");
      expect((await auditEntries("sso.sign-in-failed")).at(-1)).toMatchObject({
        reason: "invalid-token",
        detail: "OAUTH_KEY_SELECTION_FAILED",
      });
    } finally {
      idp.forgeWith = null;
    }
  });

  it("explains an answer sent to another callback address", async () => {
    const client = new WebClient();
    const response = await client.request(`${server.url}/admin/sso/other-callback?code=abc&state=def`);
    expect(response.status).toBe(400);
    const page = await pageOf(response);
    expect(page).toContain("sent you back to the wrong address");
    expect(page).toContain(`${server.url}/admin/sso/callback`);
  });

  it("keeps codes and tokens out of the audit log and the server's log", async () => {
    const all = (await rawSql<{ details: unknown }>(server.databaseUrl, "SELECT details FROM audit_log"))
      .map((row) => JSON.stringify(details(row.details)))
      .join("\n");
    expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
    expect(all).not.toMatch(/"(code|id_token|access_token|state|nonce)"\s*:/);
    expect(server.output()).not.toMatch(/eyJ[\w-]+\.[\w-]+\.|[?&]code=/);
  });
});

describe("the audit log", () => {
  it("still verifies with every sign-in, refusal and role change in it", async () => {
    const result = await redline(["audit", "verify"], {
      DATABASE_URL: server.databaseUrl,
      AUDIT_KEY: "a".repeat(40),
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_DEFAULT_ROLE: "viewer",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});

describe("passwords off", () => {
  it("refuses a password sign-in by someone who is not break-glass, pointing to the provider", async () => {
    const client = new AdminClient(server.url);
    const response = await client.signIn("taken@example.com", PASSWORD);
    expect(response.status).toBe(403);
    expect(await pageOf(response)).toContain("Password sign-in is turned off");
  });

  it("lets a break-glass admin in with a password, audits it and shows it on the overview", async () => {
    const glass = new AdminClient(server.url);
    expect((await glass.signIn("glass@example.com", PASSWORD)).status).toBe(302);
    expect((await auditEntries("user.break-glass-sign-in")).at(-1)).toMatchObject({
      email: "glass@example.com",
    });
    const overview = await pageOf(await glass.get("/admin"));
    expect(overview).toContain("Break-glass sign-ins");
    expect(overview).toMatch(/glass@example\.com<\/strong> signed in with a password/);
  });

  it("makes an existing admin break-glass on the command line, and only an admin", async () => {
    const env = {
      DATABASE_URL: server.databaseUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_DEFAULT_ROLE: "viewer",
    };
    const viewer = await redline(["user", "break-glass", "taken@example.com"], env);
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr).toMatch(/only an admin can be a break-glass account/);
    expect(
      (await redline(["user", "add", "first@example.com", "--role", "admin", "--password", PASSWORD], env))
        .code,
    ).toBe(0);
    expect((await new AdminClient(server.url).signIn("first@example.com", PASSWORD)).status).toBe(403);
    const made = await redline(["user", "break-glass", "first@example.com"], env);
    expect(made.stdout).toContain("first@example.com is a break-glass account");
    expect((await new AdminClient(server.url).signIn("first@example.com", PASSWORD)).status).toBe(302);
    expect((await auditEntries("user.break-glass-changed")).at(-1)).toMatchObject({
      email: "first@example.com",
      breakGlass: true,
    });
    expect((await redline(["user", "break-glass", "first@example.com", "--off"], env)).code).toBe(0);
    expect((await new AdminClient(server.url).signIn("first@example.com", PASSWORD)).status).toBe(403);
  });

  it("refuses --break-glass for anyone but an admin", async () => {
    const result = await redline(
      ["user", "add", "nope@example.com", "--role", "editor", "--password", PASSWORD, "--break-glass"],
      { DATABASE_URL: server.databaseUrl },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--break-glass is for admins only/);
  });
});

describe("signing out", () => {
  it("offers the provider's own sign-out after a session that came from it", async () => {
    idp.people.get("alice-sub")!.groups = ["legal-editors"];
    const { client, response } = await signIn("alice-sub");
    expect(response.status).toBe(302);
    const overview = await pageOf(await client.request(`${server.url}/admin`));
    const csrf = /name="csrf" value="([^"]+)"/.exec(overview)?.[1] ?? "";
    const out = await client.request(`${server.url}/admin/logout`, { form: { csrf, intent: "sign-out" } });
    expect(out.status).toBe(302);
    const next = WebClient.next(out, `${server.url}/admin/logout`);
    const page = await pageOf(await client.request(next));
    const link = /href="([^"]+)">Also sign out of Test IdP/.exec(page)?.[1]?.replace(/&amp;/g, "&");
    expect(link).toBeDefined();
    const endSession = new URL(link!);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(
      `${server.url}/admin/login?signedOut=1`,
    );
    expect((await client.request(`${server.url}/admin`)).status).toBe(302);
  });
});

describe("a provider that cannot be reached", () => {
  it("says so, and records it", async () => {
    const port = await freePort();
    const offline = await startServer({
      OIDC_ISSUER: `http://127.0.0.1:${port}`,
      OIDC_CLIENT_ID: "redline",
      OIDC_DEFAULT_ROLE: "viewer",
    });
    try {
      const response = await new WebClient().request(`${offline.url}/admin/sso/start`);
      expect(response.status).toBe(503);
      expect(await pageOf(response)).toContain("The identity provider cannot be reached");
      const [entry] = await auditEntries("sso.sign-in-failed", offline.databaseUrl);
      expect(entry).toMatchObject({ reason: "provider-unreachable" });
    } finally {
      await offline.stop();
    }
  });
});
