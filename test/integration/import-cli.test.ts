/**
 * A hostile review's findings through the command line, as they were made: what `redline import` keeps, leaves
 * out and refuses (ADR 0012), the one slug rule, names that could disguise an email greeting, a CSV
 * with a duplicated column, `diff N N`, and private database files.
 */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { findDocument } from "../../app/models/documents.server";
import { findSubscriber } from "../../app/models/subscribers.server";
import { main } from "../../scripts/redline";
import { TEST_ENGINE } from "../support/databases";
import { testDirectory } from "../support/fresh-database";
import { ROOT, redline } from "../support/server";

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

function file(name: string, text: string) {
  const path = join(testDirectory, name);
  writeFileSync(path, text);
  return path;
}

const fixture = (name: string) => join(ROOT, "test/fixtures/import", name);
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("redline import", () => {
  it("imports a saved web page and lists what it left out on purpose", async () => {
    const result = await cli("import", "saved-page", fixture("saved-page.html"));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("1\n");
    expect(result.stderr).toBe(
      [
        "saved-page (en): draft version 1 created",
        "left out on purpose:",
        '  - 1 page title (text: "Privacy Policy | Acme Cloud")',
        "  - 1 style sheet",
        "  - 4 scripts",
        '  - 4 inline SVG images (text: "Acme")',
        "  - 1 comment",
        '  - 1 no-JavaScript notice (text: "Please enable JavaScript to manage cookies.")',
        '  - 1 template (text: "Template row that is never shown")',
        '  - 1 image (alt text: "How data flows between Acme and Parcelpay")',
        "  - 20 words of the page around its <main> (navigation, header, footer)",
        "",
      ].join("\n"),
    );
  });

  it("reports what it left out as JSON too", async () => {
    const result = await cli("import", "inline-html", fixture("inline-html.md"), "--format", "json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      version: 1,
      leftOut: [
        { kind: "svg", count: 1, text: [] },
        { kind: "comment", count: 1 },
        { kind: "script", count: 1 },
      ],
    });
  });

  it.each([
    [
      "an unclosed script in a saved page",
      "page.html",
      "<main>\n<h1>Cookies</h1>\n<p>We set two cookies.</p>\n<script>consent();\n<p>You can refuse them.</p>\n</main>",
      "an unclosed <script> at line 4 hides everything after it",
    ],
    [
      "Markdown whose inline SVG swallows a sentence",
      "policy.md",
      "# Cookies\n\nWe set two cookies.\n\nYou can <svg><path d='M0'> refuse them.",
      'the <svg> at line 5 holds text that no browser shows ("refuse them.")',
    ],
    [
      "a MathML formula",
      "formula.html",
      "<h1>Fees</h1>\n<p>We charge <math><mi>x</mi><mo>%</mo></math> a year.</p>",
      'the <math> at line 2 is a formula ("x %")',
    ],
    [
      "Tiptap JSON nested 20,000 deep",
      "deep.json",
      `{"type":"doc","content":[${'{"type":"blockquote","content":['.repeat(20_000)}{"type":"paragraph"}${"]}".repeat(20_000)}]}`,
      "the document is nested more than 64 levels deep",
    ],
  ])("refuses %s with one line naming the place, and stores nothing", async (_name, name, source, reason) => {
    const path = file(name, source);
    const result = await cli("import", "refused", path, "--title", "Refused");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`redline: ${path}: ${reason}`);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(await findDocument({ slug: "refused" })).toBeUndefined();
  });

  it("refuses a slug the public site could not serve, and takes the longest one it can", async () => {
    const source = file("long.md", "# Long\n\nText.");
    const tooLong = await cli("import", "a".repeat(101), source);
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toMatch(/at most 100 characters/);
    expect(await findDocument({ slug: "a".repeat(101) })).toBeUndefined();
    expect((await cli("import", "a".repeat(100), source)).code).toBe(0);
  });

  it("refuses a title with a text-direction override", async () => {
    const result = await cli("import", "rtl", file("rtl.md", "# Privacy\u202Eycilop\n\nText."));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "redline: the title contains a text-direction control (U+202E) at position 8; control characters, line breaks and text-direction controls are not allowed\n",
    );
  });
});

describe("redline diff", () => {
  it("refuses a version compared with itself, in the words of the web", async () => {
    expect((await cli("import", "same", file("same.md", "# Same\n\nText."))).code).toBe(0);
    const result = await cli("diff", "same", "1", "1");
    expect(result).toEqual({
      code: 1,
      stdout: "",
      stderr: "redline: From and to are both version 1: choose two different versions.\n",
    });
  });
});

describe("names that reach email greetings", () => {
  it("refuses a user name with a control character or a text-direction override", async () => {
    for (const [name, found] of [
      ["Ana\u0000", "a control character (U+0000) at position 4"],
      ["Ana\u202Egnp.exe", "a text-direction control (U+202E) at position 4"],
    ]) {
      const result = await cli("user", "add", "ana@example.com", "--role", "viewer", "--name", name);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`redline: the name contains ${found}`);
    }
    expect((await cli("user", "add", "ana@example.com", "--role", "viewer", "--name", "Ana Lima")).code).toBe(
      0,
    );
  });

  it("rejects CSV rows whose name holds a control character or a direction override, keeping the others", async () => {
    const csv = file(
      "names.csv",
      'externalId,email,name\nn-1,n1@example.com,Ana\nn-2,n2@example.com,"Bo\u202Eb"\nn-3,n3@example.com,"Cy\u0007"\n',
    );
    const result = await cli("subscribers", "import", csv, "--format", "json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ created: 1 });
    expect(report.rejected).toEqual([
      {
        line: 3,
        externalId: "n-2",
        reason: expect.stringContaining("name contains a text-direction control (U+202E)"),
      },
      {
        line: 4,
        externalId: "n-3",
        reason: expect.stringContaining("name contains a control character (U+0007)"),
      },
    ]);
    expect(await findSubscriber("n-2")).toBeUndefined();
  });
});

describe("redline subscribers import", () => {
  it.each([
    ["email,externalId,email", '"email" twice (columns 1 and 3)'],
    ["externalId,email,Region,region", '"region" twice (columns 3 and 4)'],
    ["externalId,email,,plan", "column 3 of the header row has no name"],
  ])("refuses the header %s, naming the column, and imports nothing", async (header, reason) => {
    const cells = header.split(",").map((_, i) => (i === 0 ? "dup-1" : `cell-${i}@example.com`));
    const csv = file("dup.csv", `${header}\n${cells.join(",")}\n`);
    const result = await cli("subscribers", "import", csv);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(reason);
    expect(await findSubscriber("dup-1")).toBeUndefined();
  });
});

describe("database files", () => {
  it("creates the database, its WAL files and backups readable by their owner only", async () => {
    const directory = mkdtempSync(join(tmpdir(), "redline-mode-"));
    const env = { DATABASE_URL: `file:${join(directory, "data", "redline.db")}` };
    const added = await redline(["user", "add", "mode@example.com", "--role", "viewer"], env);
    expect(added.code, added.stderr).toBe(0);
    const backup = join(directory, "backup.db");
    expect((await redline(["backup", backup], env)).code).toBe(0);
    for (const path of ["data/redline.db", "backup.db"])
      expect(mode(join(directory, path)), path).toBe("600");
    expect(mode(join(directory, "data"))).toBe("700");
    // The backup is a real copy, not an empty file left by the permission fix.
    const copy = new Database(backup, { readonly: true });
    expect(copy.prepare("SELECT email FROM users").all()).toEqual([{ email: "mode@example.com" }]);
    copy.close();
    // Two commands that each create and migrate a database: slow on a loaded two-core machine.
  }, 90_000);

  // The test process's own database is a SQLite file only in the SQLite run.
  it.skipIf(TEST_ENGINE === "postgres")("keeps the WAL companions of a database in use private", async () => {
    // This test process has its own database open: its WAL companions exist now, and are private too.
    await findSubscriber("anyone");
    for (const suffix of ["", "-wal", "-shm"]) {
      expect(mode(join(testDirectory, `redline.db${suffix}`)), suffix).toBe("600");
    }
  });

  it("makes an existing world-readable database private when it is opened", async () => {
    const directory = mkdtempSync(join(tmpdir(), "redline-mode-"));
    const path = join(directory, "old.db");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    expect((await redline(["audit", "verify"], { DATABASE_URL: `file:${path}` })).code).toBe(0);
    expect(mode(path)).toBe("600");
    expect(readFileSync(path).subarray(0, 15).toString()).toBe("SQLite format 3");
  });
});
