/**
 * A hostile review's loose edges over real HTTP, as they were found: a Tiptap document nested 20,000 deep sent to
 * the autosave endpoint, markup in an Atom summary, imported link attributes on the public page,
 * the one slug rule from the admin form to the response cache, names that could disguise an email
 * greeting, an erased subscriber's dashboard token, a redline of a version with itself, and the
 * running server's database files.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Window } from "happy-dom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../app/core/notify/user-token";
import { main } from "../../scripts/redline";
import { AdminClient } from "../support/admin-client";
import { TEST_ENGINE } from "../support/databases";
import { testDirectory } from "../support/fresh-database";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, startServer, untilPublicStateKnown } from "../support/server";

const PASSWORD = "loose edges password 1";
const HOST = "https://app.example.test";
const LONGEST_SLUG = `p${"-a".repeat(49)}b`; // 100 characters
let server: RunningServer;
let editor: AdminClient;
let admin: AdminClient;
let key: string;
let noticeId: number;

/** The command line, run in this process on the database the server uses (spawning one per call is slow). */
async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (text) => {
      stdout += `${text}\n`;
    },
    err: (text) => {
      stderr += `${text}\n`;
    },
  });
  return { code, stdout, stderr };
}
/** Rows of the server's database as stored, on either engine. */
const sql = <T>(query: string, ...params: unknown[]) => rawSql<T>(server.databaseUrl, query, params);
/** A JSON column as text: SQLite keeps the text, PostgreSQL's driver hands it over parsed. */
const jsonText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function policyFile(name: string, text: string): string {
  const path = join(testDirectory, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  // The server shares this test file's database, so the command line can run in this process.
  server = await startServer({ DATABASE_URL: process.env.DATABASE_URL! });
  for (const role of ["editor", "admin"] as const) {
    const added = await cli(["user", "add", `${role}@example.com`, "--role", role, "--password", PASSWORD]);
    expect(added.code, added.stderr).toBe(0);
  }
  key = (await cli(["apikey", "create", "loose-edges"])).stdout.trim();
  for (const id of ["kept-1", "erased-1"]) {
    expect((await api("PUT", `/api/v1/subscribers/${id}`, { email: `${id}@example.test` })).status).toBe(201);
  }
  const changed = policyFile(
    "privacy.md",
    "# Privacy Policy\n\n## 1. Payments\n\nWe now use [Parcelpay](https://parcelpay.example).\n",
  );
  expect((await cli(["import", "privacy", changed])).code).toBe(0);
  const published = await cli([
    "publish",
    "privacy",
    "--material",
    "--summary",
    'We now use <b>Parcelpay</b> & "partners" <script>alert(1)</script> ]]> for cards.',
    "--notify",
    "dashboard",
    "--format",
    "json",
  ]);
  expect(published.code, published.stderr).toBe(0);
  noticeId = JSON.parse(published.stdout).notices[0].id;
  editor = new AdminClient(server.url);
  admin = new AdminClient(server.url);
  expect((await editor.signIn("editor@example.com", PASSWORD)).status).toBe(302);
  expect((await admin.signIn("admin@example.com", PASSWORD)).status).toBe(302);
}, 180_000);
afterAll(() => server?.stop());

describe("the autosave endpoint", () => {
  it("answers a Tiptap document nested 20,000 deep with a clear 400 and keeps the draft", async () => {
    const created = await editor.post("/admin/documents?index", {
      intent: "create-document",
      slug: "deep",
      title: "Deep",
      locale: "en",
    });
    expect(created.status).toBe(302);
    const id = Number(/\/admin\/documents\/(\d+)\/edit/.exec(created.headers.get("location") ?? "")?.[1]);
    const before = await sql<{ content: string; revision: number }>(
      "SELECT content, revision FROM versions WHERE document_id = ?",
      id,
    );
    const depth = 20_000;
    const content = `{"type":"doc","content":[${'{"type":"bulletList","content":[{"type":"listItem","content":['.repeat(depth)}{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link","attrs":{"href":"https://x.example"}}]}]}${"]}]}".repeat(depth)}]}`;
    // Sent as the editor sends it: multipart form data (1.3 MB, under the 2 MB limit).
    const body = new FormData();
    body.set("intent", "save-draft");
    body.set("csrf", editor.csrf);
    body.set("revision", String(before[0].revision));
    body.set("content", content);
    const response = await fetch(`${server.url}/admin/documents/${id}/draft`, {
      method: "POST",
      body,
      headers: { cookie: editor.cookieHeader(), accept: "application/json" },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: "rejected",
      message: "Not saved: the document is nested more than 64 levels deep.",
    });
    expect(await sql("SELECT content, revision FROM versions WHERE document_id = ?", id)).toEqual(before);
    expect(server.output()).not.toMatch(/RangeError|call stack/i);
  });
});

describe("the Atom feed", () => {
  it("shows a summary with markup as the text it is", async () => {
    const feed = await (await fetch(`${server.url}/policies/privacy/feed.atom`)).text();
    const summaries = [...feed.matchAll(/<summary type="html"><!\[CDATA\[([\s\S]*?)\]\]><\/summary>/g)];
    expect(summaries).toHaveLength(2);
    // type="html": a reader decodes the HTML, and must get the summary's text back, not markup.
    const shown = new new Window().DOMParser().parseFromString(`<body>${summaries[0][1]}`, "text/html").body;
    expect(shown.children).toHaveLength(0);
    expect(shown.textContent).toMatch(
      /^We now use <b>Parcelpay<\/b> & "partners" <script>alert\(1\)<\/script> \]\]> for cards\. Takes effect /,
    );
  });
});

describe("imported links on the public page", () => {
  it("carry their address and our rel, nothing the source said", async () => {
    const html = policyFile(
      "links.html",
      '<h1>Links</h1><p>See <a href="https://x.example" target="_blank" rel="opener" class="button" title="X" style="color:red">our partner</a>.</p>',
    );
    expect((await cli(["import", "links", html])).code).toBe(0);
    expect((await cli(["publish", "links"])).code).toBe(0);
    const page = await (await fetch(`${server.url}/policies/links`)).text();
    expect(page).toContain('<a href="https://x.example" rel="noopener noreferrer nofollow">our partner</a>');
    expect(
      jsonText(
        (await sql<{ content: unknown }>("SELECT content FROM versions WHERE html LIKE '%our partner%'"))[0]
          .content,
      ),
    ).toContain('"marks":[{"type":"link","attrs":{"href":"https://x.example"}}]');
  });
});

describe("one slug rule", () => {
  it("serves the longest slug the workspace and the command line accept, from the cache the second time", async () => {
    expect(LONGEST_SLUG).toHaveLength(100);
    expect((await cli(["import", LONGEST_SLUG, policyFile("long.md", "# Long\n\nText.")])).code).toBe(0);
    expect((await cli(["publish", LONGEST_SLUG])).code).toBe(0);
    await untilPublicStateKnown(server.url, LONGEST_SLUG);
    for (const path of ["", "/versions", "/versions/1", "/feed.atom"]) {
      expect((await fetch(`${server.url}/policies/${LONGEST_SLUG}${path}`)).status, path).toBe(200);
    }
    expect((await fetch(`${server.url}/api/v1/policies/${LONGEST_SLUG}`)).status).toBe(200);
    const again = await fetch(`${server.url}/policies/${LONGEST_SLUG}`);
    expect(again.headers.get("x-cache")).toBe("hit");
  });

  it("refuses a longer slug in the admin form with the rule, and creates nothing", async () => {
    const response = await editor.post("/admin/documents?index", {
      intent: "create-document",
      slug: `${LONGEST_SLUG}c`,
      title: "Too long",
      locale: "en",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      "lowercase letters, digits and single dashes, at most 100 characters",
    );
    expect(await sql("SELECT slug FROM documents WHERE title = 'Too long'")).toEqual([]);
  });

  it("refuses a language tag outside the rule when adding a translation", async () => {
    const [{ id }] = await sql<{ id: number }>("SELECT id FROM documents WHERE slug = 'privacy'");
    const response = await editor.post(`/admin/documents/${id}`, {
      intent: "create-translation",
      locale: "EN-us",
      title: "Privacy",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("is not a language tag such as");
  });
});

describe("a redline from a version to itself", () => {
  it("is the same 400 with the same words on the public page, the API and the workspace", async () => {
    const message = "From and to are both version 2: choose two different versions.";
    const page = await fetch(`${server.url}/policies/privacy/compare?from=2&to=2`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain(message);
    const json = await fetch(`${server.url}/api/v1/policies/privacy/diff?from=2&to=2`);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: message });
    const [{ id }] = await sql<{ id: number }>("SELECT id FROM documents WHERE slug = 'privacy'");
    const workspace = await editor.get(`/admin/documents/${id}/compare?from=2&to=2`);
    expect(workspace.status).toBe(400);
    expect(await workspace.text()).toContain(message);
    const command = await cli(["diff", "privacy", "2", "2"]);
    expect(command.code).toBe(1);
    expect(command.stderr).toBe(`redline: ${message}\n`);
  });
});

describe("subscriber names", () => {
  it.each([
    ["a NUL", "Ana\u0000", "a control character (U+0000) at position 4"],
    ["a line break", "Ana\r\nBcc: everyone@example.test", "a control character (U+000D) at position 4"],
    ["a right-to-left override", "Ana\u202Egnp.exe", "a text-direction control (U+202E) at position 4"],
    ["a bidi isolate", "\u2067Ana", "a text-direction control (U+2067) at position 1"],
  ])("refuses a name with %s and stores nothing", async (_what, name, found) => {
    const response = await api("PUT", "/api/v1/subscribers/named-1", { email: "named@example.test", name });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      {
        field: "name",
        message: `name contains ${found}; control characters, line breaks and text-direction controls are not allowed`,
      },
    ]);
    expect(await sql("SELECT 1 FROM subscribers WHERE external_id = 'named-1'")).toEqual([]);
  });
});

describe("an erased subscriber", () => {
  let token: string;

  beforeAll(async () => {
    const created = await admin.post("/admin/embed", { intent: "rotate-secret" });
    const secret = /data-testid="embed-secret">(rls_[A-Za-z0-9_-]+)</.exec(await created.text())?.[1];
    expect(secret).toBeTruthy();
    expect((await admin.post("/admin/embed", { intent: "add-origin", origin: HOST })).status).toBe(200);
    token = mintUserToken({ secret: secret!, externalId: "erased-1" });
    const before = await fetch(`${server.url}/api/v1/embed/notices`, {
      headers: { authorization: `Bearer ${token}`, origin: HOST },
    });
    expect(before.status).toBe(200);
    expect(((await before.json()) as { notices: unknown[] }).notices).toHaveLength(1);
    expect((await api("DELETE", "/api/v1/subscribers/erased-1")).status).toBe(200);
  });

  it("gets nothing through a dashboard token minted before the erasure: 403, still with CORS", async () => {
    const listed = await fetch(`${server.url}/api/v1/embed/notices`, {
      headers: { authorization: `Bearer ${token}`, origin: HOST },
    });
    expect(listed.status).toBe(403);
    expect(listed.headers.get("access-control-allow-origin")).toBe(HOST);
    expect(await listed.json()).toEqual({
      error: 'subscriber "erased-1" was erased: no notices are shown to or acknowledged for them',
    });
    const acknowledged = await fetch(`${server.url}/api/v1/embed/notices/${noticeId}/ack`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: HOST },
    });
    expect(acknowledged.status).toBe(403);
    expect(
      await sql(
        "SELECT 1 FROM acknowledgements a JOIN subscribers s ON s.id = a.subscriber_id WHERE s.external_id = 'erased-1'",
      ),
    ).toEqual([]);
  });

  it("is refused by the backend's notices API too (409, as PUT is)", async () => {
    expect(await api("GET", "/api/v1/subscribers/erased-1/notices")).toEqual({
      status: 409,
      body: { error: 'subscriber "erased-1" was erased: no notices are shown to or acknowledged for them' },
    });
    expect((await api("POST", `/api/v1/subscribers/erased-1/notices/${noticeId}/ack`)).status).toBe(409);
    expect((await api("GET", "/api/v1/subscribers/kept-1/notices")).status).toBe(200);
  });
});

// A file only when the server runs on SQLite; PostgreSQL keeps its files to itself.
describe.skipIf(TEST_ENGINE === "postgres")("the running server's database", () => {
  it("is readable by its owner only, with its WAL files", () => {
    const file = server.databaseUrl.replace(/^file:/, "");
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      expect((statSync(path).mode & 0o777).toString(8), path).toBe("600");
    }
  });
});
