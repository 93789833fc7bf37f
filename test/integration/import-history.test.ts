/**
 * `redline import-history`: a git repository built here (commits with set dates, a rename, an
 * identical re-commit), a bare clone of it, folders of dated files in English, German and French,
 * re-runs, --dry-run and bad sources; then what the public site and the JSON API show of the history.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../scripts/redline";
import { AdminClient } from "../support/admin-client";
import { testDirectory } from "../support/fresh-database";
import { rawSql } from "../support/raw-sql";
import { type RunningServer, startServer } from "../support/server";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    out: (text) => {
      stdout += `${text}\n`;
    },
    err: (text) => {
      stderr += `${text}\n`;
    },
  });
  return { code, stdout, stderr };
}

/** Rows as stored, on either engine (`rawSql`: a connection of its own to the test's database). */
const query = <T>(sql: string, ...params: unknown[]): Promise<T[]> =>
  rawSql<T>(process.env.DATABASE_URL!, sql, params);
/** A JSON column: text on SQLite, already parsed on PostgreSQL. */
const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);
// count(*) is a bigint on PostgreSQL, which pg hands over as a string.
const auditCount = async () =>
  Number((await query<{ n: unknown }>("SELECT count(*) AS n FROM audit_log"))[0].n);

function git(repository: string, args: string[], date = "2020-01-01T12:00:00Z") {
  return execFileSync("git", args, {
    cwd: repository,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Legal",
      GIT_AUTHOR_EMAIL: "legal@example.com",
      GIT_COMMITTER_NAME: "Legal",
      GIT_COMMITTER_EMAIL: "legal@example.com",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: testDirectory,
    },
    encoding: "utf8",
  });
}

function commit(repository: string, files: Record<string, string>, date: string, message: string) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repository, path, ".."), { recursive: true });
    writeFileSync(join(repository, path), text);
  }
  git(repository, ["add", "-A"], date);
  git(repository, ["commit", "-q", "-m", message], date);
}

const policy = (frontMatter: string, stated: string, body: string) =>
  `---\n${frontMatter}\n---\n\n${stated}\n\n## What we collect\n\n${body}\n\n## Your rights\n\nYou may ask for a copy of your data at any time.\n`;

const V1 = policy(
  "title: Acme Privacy Policy\nredirect_from:\n  - /privacy",
  "Last updated: January 10, 2023",
  "Your email address and your name.",
);
const V2 = policy(
  "title: Acme Privacy Policy\nredirect_from:\n  - /privacy",
  "Last updated: March 1, 2023",
  "Your email address, your name and your postal address. We share it with Parcelpay Ltd.",
);
// The same policy with only its front matter changed: identical content.
const V2_AGAIN = V2.replace("  - /privacy", "  - /privacy\n  - /privacy-policy");
const V3 = policy(
  "title: Acme Privacy Policy\nredirect_from:\n  - /privacy",
  "Effective date: 5 May 2023",
  "Your email address, your name and your postal address. We share it with Parcelpay Ltd. We keep it for 24 months.",
);

let repository: string;

beforeAll(() => {
  repository = mkdtempSync(join(testDirectory, "policies-"));
  git(repository, ["init", "-q", "-b", "main"]);
  commit(repository, { "privacy.md": V1 }, "2023-01-10T09:00:00Z", "First policy");
  commit(repository, { "privacy.md": V2 }, "2023-03-01T15:30:00Z", "Postal address, Parcelpay");
  commit(repository, { "privacy.md": V2_AGAIN }, "2023-04-02T10:00:00Z", "Another redirect");
  git(repository, ["mv", "privacy.md", "legal-privacy.md"], "2023-05-05T08:00:00Z");
  commit(repository, { "legal-privacy.md": V3 }, "2023-05-05T08:00:00Z", "Moved; retention stated");
  commit(repository, { "README.md": "Our policies" }, "2023-06-01T08:00:00Z", "Unrelated");
});

describe("redline import-history from git", () => {
  it("imports every commit that changed the file, oldest first, following the rename", async () => {
    const result = await cli("import-history", "acme", repository, "--path", "legal-privacy.md");
    expect(result.stderr).toMatch(
      /^skipped: commit [0-9a-f]{10} \(privacy\.md\): identical to commit [0-9a-f]{10} \(privacy\.md\)$/m,
    );
    expect(result.stdout).toBe(
      "acme (en): 4 found, 3 imported (versions 1–3), 1 skipped (1 identical), dates from the text 3, from the source 0 (effective dates: 3 from the document, 0 from the source)\n",
    );
    expect(result.code).toBe(0);
    const versions = await query<Record<string, unknown>>(
      "SELECT number, state, last_updated, effective_at, published_at, material, summary, imported FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.slug = 'acme' ORDER BY number",
    );
    expect(
      versions.map((v) => [
        v.number,
        v.state,
        v.last_updated,
        v.effective_at,
        v.published_at,
        Boolean(v.material),
        v.summary,
      ]),
    ).toEqual([
      [1, "superseded", "2023-01-10", "2023-01-10", "2023-01-10T09:00:00.000Z", false, null],
      [2, "superseded", "2023-03-01", "2023-03-01", "2023-03-01T15:30:00.000Z", false, null],
      [3, "published", "2023-05-05", "2023-05-05", "2023-05-05T08:00:00.000Z", false, null],
    ]);
    const origins = versions.map((v) => json(v.imported));
    expect(origins.map((o) => o.source.path)).toEqual(["privacy.md", "privacy.md", "legal-privacy.md"]);
    expect(origins[0].advice).toBeNull();
    // The engine's suggestion is kept as advice; the version claims nothing.
    expect(origins[1].advice.suggested).toBe(true);
    expect(origins[1].advice.reasons.map((r: { kind: string }) => r.kind)).toContain("recipient-added");
    const document = (await query<{ title: string }>("SELECT title FROM documents WHERE slug = 'acme'"))[0];
    expect(document.title).toBe("Acme Privacy Policy");
    const text = (
      await query<{ text: string }>("SELECT text FROM versions WHERE number = 1 AND imported IS NOT NULL")
    )[0].text;
    expect(text).not.toContain("redirect_from");
    // The redlines between consecutive versions were stored by the import, not left to a reader.
    const stored = (
      await query<{ pairs: unknown }>(
        `SELECT count(*) AS pairs FROM stored_diffs s
         JOIN versions a ON a.content_hash = s.from_hash JOIN versions b ON b.content_hash = s.to_hash
         JOIN documents d ON d.id = a.document_id AND d.id = b.document_id
        WHERE d.slug = 'acme' AND b.number = a.number + 1`,
      )
    )[0];
    expect(Number(stored.pairs)).toBe(2);
  });

  it("writes one audit entry per imported version, naming its source, and the chain verifies", async () => {
    const entries = (
      await query<{ details: unknown }>(
        "SELECT a.details FROM audit_log a JOIN documents d ON d.id = a.document_id WHERE d.slug = 'acme' AND a.action = 'version.published' ORDER BY a.id",
      )
    ).map((row) => json(row.details));
    expect(entries).toHaveLength(3);
    expect(entries[2]).toMatchObject({
      number: 3,
      material: null,
      imported: { from: expect.stringMatching(/^commit [0-9a-f]{10} \(legal-privacy\.md\)$/) },
    });
    const verified = await cli("audit", "verify");
    expect(verified.stdout).toMatch(/agree with their entries/);
    expect(verified.code).toBe(0);
  });

  it("imports nothing when run again, and only the new commit after one more", async () => {
    const before = await auditCount();
    const again = await cli("import-history", "acme", repository, "--path", "legal-privacy.md");
    expect(again.stdout).toMatch(/4 found, 0 imported, 4 skipped \(1 identical, 3 already imported\)/);
    expect(await auditCount()).toBe(before);

    commit(
      repository,
      { "legal-privacy.md": V3.replace("24 months", "36 months") },
      "2023-09-01T08:00:00Z",
      "Longer",
    );
    const next = await cli(
      "import-history",
      "acme",
      repository,
      "--path",
      "legal-privacy.md",
      "--format",
      "json",
    );
    expect(next.code).toBe(0);
    const report = JSON.parse(next.stdout);
    expect(report).toMatchObject({
      found: 5,
      imported: 1,
      versions: [{ version: 4, effectiveAt: "2023-09-01" }],
    });
    // The text still says 5 May: that date had already taken effect, so version 4 takes effect on its own day.
    expect(report.versions[0]).toMatchObject({
      lastUpdated: "2023-05-05",
      dates: { lastUpdated: "text", effectiveAt: "source" },
      advice: { suggested: true },
    });
    expect(await auditCount()).toBe(before + 1);
  });

  it("reads a bare repository as well", async () => {
    const bare = join(testDirectory, "bare.git");
    execFileSync("git", ["clone", "-q", "--bare", repository, bare]);
    const result = await cli("import-history", "acme-bare", bare, "--path", "legal-privacy.md");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/5 found, 4 imported \(versions 1–4\)/);
  });

  it("writes nothing with --dry-run", async () => {
    const before = await auditCount();
    const result = await cli(
      "import-history",
      "acme-dry",
      repository,
      "--path",
      "legal-privacy.md",
      "--dry-run",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^acme-dry \(en\): dry run: 5 found, 4 would be imported \(versions 1–4\)/);
    expect(await auditCount()).toBe(before);
    expect(await query("SELECT id FROM documents WHERE slug = 'acme-dry'")).toEqual([]);
  });

  it("does not even create the database with --dry-run", async () => {
    const { redline } = await import("../support/server");
    const file = join(testDirectory, "never-created.db");
    const result = await redline(
      ["import-history", "acme", repository, "--path", "legal-privacy.md", "--dry-run"],
      {
        DATABASE_URL: `file:${file}`,
      },
    );
    expect(result.stdout).toMatch(/dry run: 5 found, 4 would be imported/);
    expect(result.code).toBe(0);
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a path the repository never had, naming it", async () => {
    const result = await cli("import-history", "acme-none", repository, "--path", "cookies.md");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`redline: cookies.md was never in ${repository} (at HEAD)\n`);
  });

  it("refuses to import into a document that already has later versions", async () => {
    const folder = mkdtempSync(join(testDirectory, "later-"));
    writeFileSync(join(folder, "2024-01-01.md"), "# Later\n\nA text published in Redline.\n");
    await cli("import", "later", join(folder, "2024-01-01.md"));
    expect((await cli("publish", "later")).code).toBe(0);
    const before = await auditCount();
    const result = await cli("import-history", "later", repository, "--path", "legal-privacy.md");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /refused: commit [0-9a-f]{10} \(privacy\.md\): dated 2023-01-10, but the document already has a later version 1/,
    );
    expect(await auditCount()).toBe(before);
  });
});

describe("redline import-history from a folder of dated files", () => {
  it("reads Markdown, HTML and Tiptap JSON in German, with dates from the text", async () => {
    const folder = mkdtempSync(join(testDirectory, "de-"));
    writeFileSync(
      join(folder, "2021-02-03.md"),
      "# Datenschutzerklärung\n\nZuletzt aktualisiert: 1. Februar 2021\n\nWir speichern Ihre E-Mail-Adresse.\n",
    );
    writeFileSync(
      join(folder, "002-2022-06-15-datenschutz.html"),
      "<h1>Datenschutzerklärung</h1><p>Stand: 15. Juni 2022</p><p>Gültig ab 1. Juli 2022</p><p>Wir speichern Ihre E-Mail-Adresse und Ihren Namen.</p>",
    );
    writeFileSync(
      join(folder, "2023-01-09.json"),
      JSON.stringify({
        type: "doc",
        content: [
          {
            type: "paragraph",
            content: [{ type: "text", text: "Wir speichern nur noch Ihre E-Mail-Adresse." }],
          },
        ],
      }),
    );
    writeFileSync(join(folder, "notes.txt"), "not a policy");
    const result = await cli("import-history", "datenschutz", folder, "--locale", "de", "--format", "json");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(
      report.versions.map((v: Record<string, unknown>) => [
        v.version,
        v.source,
        v.lastUpdated,
        v.effectiveAt,
      ]),
    ).toEqual([
      [1, { kind: "file", file: "2021-02-03.md" }, "2021-02-01", "2021-02-01"],
      [2, { kind: "file", file: "002-2022-06-15-datenschutz.html" }, "2022-06-15", "2022-07-01"],
      [3, { kind: "file", file: "2023-01-09.json" }, "2023-01-09", "2023-01-09"],
    ]);
    expect(report.dates.lastUpdated).toEqual({ fromText: 2, fromFrontMatter: 0, fromSource: 1 });
    expect(report.ignored).toEqual([
      { file: "notes.txt", why: "its name does not start with a date (YYYY-MM-DD)" },
    ]);
    expect(
      (await query<{ title: string }>("SELECT title FROM documents WHERE slug = 'datenschutz'"))[0].title,
    ).toBe("Datenschutzerklärung");
  });

  it("reads French dates", async () => {
    const folder = mkdtempSync(join(testDirectory, "fr-"));
    writeFileSync(
      join(folder, "2022-03-02.md"),
      "# Confidentialité\n\nMis à jour le 1er mars 2022\n\nNous gardons votre adresse.\n",
    );
    writeFileSync(
      join(folder, "2023-05-06.md"),
      "# Confidentialité\n\nDernière mise à jour : 5 mai 2023\n\nDate d'entrée en vigueur : 5 juin 2023\n\nNous gardons votre adresse et votre nom.\n",
    );
    const result = await cli(
      "import-history",
      "confidentialite",
      folder,
      "--locale",
      "fr",
      "--format",
      "json",
    );
    expect(result.code).toBe(0);
    expect(
      JSON.parse(result.stdout).versions.map((v: Record<string, unknown>) => [v.lastUpdated, v.effectiveAt]),
    ).toEqual([
      ["2022-03-01", "2022-03-01"],
      ["2023-05-05", "2023-06-05"],
    ]);
  });

  it("skips the earlier of two versions of the same day, saying so", async () => {
    const folder = mkdtempSync(join(testDirectory, "same-day-"));
    writeFileSync(join(folder, "2022-01-01-a.md"), "# Terms\n\nFirst draft of the day.\n");
    writeFileSync(join(folder, "2022-01-01-b.md"), "# Terms\n\nWhat was published that evening.\n");
    const result = await cli("import-history", "same-day", folder);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      "skipped: 2022-01-01-a.md: replaced on the same day (2022-01-01) by 2022-01-01-b.md\n",
    );
    expect(result.stdout).toMatch(/2 found, 1 imported \(version 1\), 1 skipped \(1 same day\)/);
  });

  it("refuses a lossy file, a file that is not text and a future date, naming each, and writes nothing", async () => {
    const folder = mkdtempSync(join(testDirectory, "bad-"));
    writeFileSync(join(folder, "2021-01-01.md"), "# Cookies\n\nA good version.\n");
    writeFileSync(
      join(folder, "2021-06-01.html"),
      "<main>\n<h1>Cookies</h1>\n<p>We set two cookies.</p>\n<script>consent();\n<p>You can refuse them.</p>\n</main>",
    );
    writeFileSync(join(folder, "2022-01-01.md"), Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]));
    writeFileSync(join(folder, "2999-01-01.md"), "# Cookies\n\nFrom the future.\n");
    const before = await auditCount();
    const result = await cli("import-history", "bad", folder);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toMatch(
      /^refused: 2021-06-01\.html: would lose text or cannot be read: .*You can refuse them/,
    );
    expect(lines[1]).toBe("refused: 2022-01-01.md: unreadable: not UTF-8 text");
    expect(lines[2]).toBe("refused: 2999-01-01.md: dated 2999-01-01, which is in the future");
    expect(lines[3]).toMatch(/^redline: nothing imported: 3 problems in /);
    expect(await auditCount()).toBe(before);
    expect(await query("SELECT id FROM documents WHERE slug = 'bad'")).toEqual([]);
  });
});

describe("front matter in import and diff-files", () => {
  it("is metadata: the title comes from it and its lines never reach the text", async () => {
    const folder = mkdtempSync(join(testDirectory, "front-"));
    writeFileSync(join(folder, "old.md"), V1);
    writeFileSync(join(folder, "new.md"), V2_AGAIN);
    const imported = await cli("import", "front-matter", join(folder, "old.md"));
    expect(imported.code).toBe(0);
    const [row] = await query<{ title: string; text: string }>(
      "SELECT d.title, v.text FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.slug = 'front-matter'",
    );
    expect(row.title).toBe("Acme Privacy Policy");
    expect(row.text.startsWith("Last updated: January 10, 2023")).toBe(true);
    const diff = await cli("diff-files", join(folder, "old.md"), join(folder, "new.md"), "--format", "json");
    expect(diff.code).toBe(0);
    expect(diff.stdout).not.toContain("redirect_from");
    expect(diff.stdout).not.toContain("/privacy-policy");
  });
});

describe("the database's rules on imported versions", () => {
  it("keeps their origin frozen, refuses a material claim and any notice for them", async () => {
    const [version] = await query<{ id: number; document_id: number }>(
      "SELECT v.id, v.document_id FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.slug = 'acme' AND v.number = 2",
    );
    await expect(query("UPDATE versions SET imported = NULL WHERE id = ?", version.id)).rejects.toThrow(
      /immutable/,
    );
    const [published] = await query<{ id: number; document_id: number }>(
      "SELECT v.id, v.document_id FROM versions v JOIN documents d ON d.id = v.document_id WHERE d.slug = 'acme' AND v.state = 'published'",
    );
    await expect(
      query(
        "INSERT INTO notices (document_id, version_id, channels, requires_ack, batch_count, created_by) VALUES (?, ?, '[\"email\"]', FALSE, 0, 'cli')",
        published.document_id,
        published.id,
      ),
    ).rejects.toThrow("no notice is made for an imported version");
    await expect(
      query("UPDATE versions SET material = TRUE, summary = 'x' WHERE id = ?", published.id),
    ).rejects.toThrow(/immutable|claims no materiality/);
  });
});

describe("the imported history on the public site", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ DATABASE_URL: process.env.DATABASE_URL! });
  });
  afterAll(() => server?.stop());
  const get = (path: string) => fetch(`${server.url}${path}`);

  it("lists every imported version in the JSON archive with its real dates, marked imported", async () => {
    const archive = await (await get("/api/v1/policies/acme/versions")).json();
    expect(
      archive.versions.map((v: Record<string, unknown>) => [
        v.version,
        v.status,
        v.lastUpdated,
        v.effectiveAt,
        v.material,
        v.imported,
        v.materialityKnown,
      ]),
    ).toEqual([
      [4, "current", "2023-05-05", "2023-09-01", false, true, false],
      [3, "superseded", "2023-05-05", "2023-05-05", false, true, false],
      [2, "superseded", "2023-03-01", "2023-03-01", false, true, false],
      [1, "superseded", "2023-01-10", "2023-01-10", false, true, false],
    ]);
    const diff = await (await get("/api/v1/policies/acme/diff?from=1&to=2")).json();
    expect(diff.stats.wordsAdded).toBeGreaterThan(0);
  });

  it("shows the workspace history with each version's source and the engine's advice", async () => {
    expect(
      (await cli("user", "add", "viewer@example.com", "--role", "viewer", "--password", "a-long-password-1"))
        .code,
    ).toBe(0);
    const client = new AdminClient(server.url);
    expect((await client.signIn("viewer@example.com", "a-long-password-1")).status).toBe(302);
    const id = (await query<{ id: number }>("SELECT id FROM documents WHERE slug = 'acme'"))[0].id;
    const page = await (await client.get(`/admin/documents/${id}/history`)).text();
    expect(page).toMatch(
      /imported from <!-- -->commit [0-9a-f]{10} \(legal-privacy\.md\)|imported from commit [0-9a-f]{10} \(legal-privacy\.md\)/,
    );
    expect(page).toContain("The engine suggested a material change");
    expect(page).toContain("advice only, nobody assessed it");
  });

  it("shows the archive, a version, the redline and the feed", async () => {
    const archive = await (await get("/policies/acme/versions")).text();
    expect(archive.match(/badge-imported/g)).toHaveLength(4);
    expect(archive).toContain("whether the change was material is not known");
    const version = await (await get("/policies/acme/versions/1")).text();
    expect(version).toContain("Your email address and your name.");
    expect(version).not.toContain("redirect_from");
    const compare = await get("/policies/acme/compare?from=1&to=3");
    expect(compare.status).toBe(200);
    expect(await compare.text()).toMatch(/<ins[^>]*>[^<]*Parcelpay/);
    const feed = await (await get("/policies/acme/feed.atom")).text();
    expect(feed.match(/<entry>/g)).toHaveLength(4);
    expect(feed).toContain('term="imported"');
    expect(feed).toContain("<published>2023-01-10T09:00:00.000Z</published>");
  });
});
