import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { PolicyDiff } from "../../app/core/diff";
import { main } from "../../scripts/redline";
import { TEST_ENGINE } from "../support/databases";
import { testDirectory } from "../support/fresh-database";
import { redline } from "../support/server";

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

describe("the redline command line", () => {
  it("imports a Markdown file as a draft and prints its version number", async () => {
    const result = await cli(
      "import",
      "terms",
      file("terms.md", "# Terms of Service\n\n## 1. Use\n\nBe kind."),
    );
    expect(result).toMatchObject({ code: 0, stdout: "1\n" });
  });

  it("publishes with the given dates and refuses a second identical publish", async () => {
    const first = await cli("publish", "terms", "--last-updated", "2026-12-01", "--format", "json");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      version: 1,
      lastUpdated: "2026-12-01",
      material: false,
    });

    await cli("import", "terms", file("terms-again.md", "# Terms of Service\n\n## 1. Use\n\nBe kind."));
    const again = await cli("publish", "terms");
    expect(again).toMatchObject({
      code: 1,
      stderr: "redline: no changes: the content is identical to published version 1\n",
    });
  });

  it("requires a summary for a material change", async () => {
    await cli("import", "terms", file("terms-v2.md", "# Terms of Service\n\n## 1. Use\n\nBe very kind."));
    const result = await cli("publish", "terms", "--material");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/material change needs a plain-language summary/);
    const ok = await cli(
      "publish",
      "terms",
      "--material",
      "--summary",
      "Kindness is now required.",
      "--format",
      "json",
    );
    expect(JSON.parse(ok.stdout)).toMatchObject({ version: 2, material: true });
  });

  it.each([
    [["import", "Bad Slug!", "x.md"], /error: command-argument value 'Bad Slug!' is invalid/],
    [["import", "terms", "/no/such/file.md"], /redline: cannot read \/no\/such\/file.md: no such file/],
    [
      ["publish", "terms", "--last-updated", "2026-02-30"],
      /'--last-updated <date>' argument '2026-02-30' is invalid/,
    ],
    [["publish", "nothing-here"], /redline: no document "nothing-here"/],
    [["publish", "terms", "--version", "zero"], /must be a whole number/],
    [
      ["user", "add", "someone@example.com", "--role", "owner"],
      /Allowed choices are viewer, editor, approver, admin/,
    ],
    [["user", "add", "not-an-email", "--role", "editor"], /is not an email address/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("refuses %j with a one-line reason", async (argv, reason) => {
    const result = await cli(...argv);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(reason);
  });

  it("refuses a file that does not fit the schema and stores nothing", async () => {
    const result = await cli(
      "import",
      "broken",
      file("broken.json", '{"type":"doc","content":[{"type":"blink"}]}'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /broken.json: content does not fit the policy schema: Unknown node type: blink/,
    );
    expect((await cli("publish", "broken")).stderr).toMatch(/no document "broken"/);
  });

  it("adds a login and prints a generated password once", async () => {
    const result = await cli("user", "add", "Lawyer@Example.com", "--role", "approver");
    expect(result.stdout).toMatch(/^created approver lawyer@example.com\npassword: \S{20,}\n$/);
    const duplicate = await cli("user", "add", "lawyer@example.com", "--role", "editor");
    expect(duplicate.stderr).toMatch(/already exists/);
    const withPassword = await cli(
      "user",
      "add",
      "editor@example.com",
      "--role",
      "editor",
      "--password",
      "short",
    );
    expect(withPassword.stderr).toMatch(/at least 12 characters/);
  });

  it.skipIf(TEST_ENGINE === "postgres")(
    "backs up the database to a file that opens with every version in it",
    async () => {
      const target = join(testDirectory, "backup.db");
      expect((await cli("backup", target)).code).toBe(0);
      const copy = new Database(target, { readonly: true });
      expect(
        copy.prepare("SELECT count(*) AS n FROM versions WHERE state IN ('published','superseded')").get(),
      ).toEqual({ n: 2 });
      copy.close();
      expect((await cli("backup", target)).stderr).toMatch(/exists; pass --force/);
      expect(existsSync(target)).toBe(true);
    },
  );

  it.skipIf(TEST_ENGINE === "sqlite")(
    "on PostgreSQL copies nothing and names the server's own backup tools instead",
    async () => {
      const target = join(testDirectory, "backup.db");
      const result = await cli("backup", target);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/pg_dump --format=custom/);
      expect(result.stderr).toMatch(/on PostgreSQL use the server's own backups/);
      expect(existsSync(target)).toBe(false);
    },
  );

  it("verifies the audit log", async () => {
    const result = await cli("audit", "verify");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/audit log intact: \d+ entries/);
  });

  it("runs as `npx redline` with --help and a non-zero exit on bad input", async () => {
    const help = await redline(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["import", "publish", "diff", "diff-files", "user", "backup", "audit"]) {
      expect(help.stdout).toContain(command);
    }
    const bad = await redline(["publish", "terms", "--effective", "tomorrow"], {
      DATABASE_URL: process.env.DATABASE_URL!,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      "error: option '--effective <date>' argument 'tomorrow' is invalid. use a real date written YYYY-MM-DD\n",
    );
  });
});

describe("redlines from the command line", () => {
  const older =
    "# Privacy\n\n## 1. Retention\n\nWe keep invoices for 6 years.\n\n## 2. Sharing\n\nWe share data with Parcelpay Payments Inc.";
  const newer =
    "# Privacy\n\n## 1. Retention\n\nWe keep invoices for 10 years.\n\n## 2. Sharing\n\nWe share data with Parcelpay Payments Inc. and Glimmer Analytics ApS.";

  it("diffs two files as JSON with the changed words and a materiality suggestion", async () => {
    const result = await cli("diff-files", file("a.md", older), file("b.md", newer), "--format", "json");
    expect(result.code).toBe(0);
    const diff = JSON.parse(result.stdout) as PolicyDiff;
    expect(diff.stats.wordsAdded).toBeGreaterThan(0);
    const retention = diff.blocks.find((b) => b.section.includes("Retention") && b.change === "modified");
    expect(retention?.parts).toEqual(
      expect.arrayContaining([
        { op: "delete", text: expect.stringContaining("6") },
        { op: "insert", text: expect.stringContaining("10") },
      ]),
    );
    expect(diff.material.suggested).toBe(true);
    expect(diff.material.reasons.map((r) => r.kind)).toEqual(
      expect.arrayContaining(["retention-changed", "recipient-added"]),
    );
  });

  it("diffs as HTML with insertions and deletions, and as text", async () => {
    const html = await cli("diff-files", file("a.md", older), file("b.md", newer), "--format", "html");
    expect(html.stdout).toMatch(/<del[^>]*>[^<]*6/);
    expect(html.stdout).toMatch(/<ins[^>]*>[^<]*10/);
    const text = await cli("diff-files", file("a.md", older), file("b.md", newer));
    expect(text.stdout).toContain("Retention");
    expect(text.stdout).toMatch(/10/);
  });

  it("diffs two stored versions by number", async () => {
    const result = await cli("diff", "terms", "1", "2", "--format", "json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).stats.blocksChanged).toBeGreaterThan(0);
    expect((await cli("diff", "terms", "1", "9")).stderr).toBe("redline: terms has no version 9\n");
  });
});
