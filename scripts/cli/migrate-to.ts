/**
 * `redline migrate-to <postgres-url> [--format json]`: copies the SQLite database named by
 * DATABASE_URL into an empty PostgreSQL database, verified (db/pg/copy-from-sqlite.ts).
 */
import Database from "better-sqlite3";
import { type Command, Option } from "commander";
import pg from "pg";
import { getEnv } from "../../app/env.server";
import { databaseFile, engineKind } from "../../db/client";
import type { CopyReport, TableCopied } from "../../db/pg/copy-from-sqlite";
import { openDatabase } from "./database";

type Io = { out: (text: string) => void; err: (text: string) => void };

/** The URL with its password hidden: it is printed, and terminals and CI logs are kept. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the target";
  }
}

const thousands = (n: number) => n.toLocaleString("en");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (rows: number, ms: number) => thousands(Math.round(rows / Math.max(ms, 1) / 0.001));

function summary(report: CopyReport, target: string): string {
  const { auditEntries, auditHead, publishedVersions } = report.verified;
  const head = auditHead ? `, head ${auditHead.hash.slice(0, 12)}… at entry ${auditHead.id}` : "";
  return `copied ${thousands(report.rows)} rows in ${report.tables.length} tables to ${target} in ${seconds(report.ms)} (${rate(report.rows, report.ms)} rows/s); verified row counts, the audit chain (${thousands(auditEntries)} entries${head}) and ${thousands(publishedVersions)} published content hash${publishedVersions === 1 ? "" : "es"}`;
}

export function registerMigrateToCommand(program: Command, io: Io): void {
  program
    .command("migrate-to")
    .description(
      "copy this SQLite database (DATABASE_URL) into an empty PostgreSQL database, verified; refuses a non-empty target",
    )
    .argument("<postgres-url>", "the target, e.g. postgres://redline@db.internal:5432/redline")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (url: string, options: { format: "text" | "json" }) => {
      if (engineKind(url) !== "postgres" || !/^postgres(ql)?:\/\/[^/]*\/[^/?]+/i.test(url))
        throw new Error(
          "the target must be a PostgreSQL URL naming a database: postgres://user@host:5432/name",
        );
      const sourceUrl = getEnv().DATABASE_URL;
      if (engineKind(sourceUrl) === "postgres")
        throw new Error("DATABASE_URL already names PostgreSQL: migrate-to copies from a SQLite file");
      const file = databaseFile(sourceUrl);
      if (file === ":memory:")
        throw new Error("DATABASE_URL names a memory database: there is nothing to copy");
      // Brings the source up to this release first, as every command does.
      await openDatabase(io.err);
      const target = redactedUrl(url);
      const { copySqliteToPostgres, MigrationRefused } = await import("../../db/pg/copy-from-sqlite");
      const source = new Database(file, { readonly: true, fileMustExist: true });
      source.pragma("busy_timeout = 5000");
      // A target in use (a Redline already started on it, a session holding its tables) is refused
      // after half a minute rather than waited for.
      const pool = new pg.Pool({ connectionString: url, max: 2, lock_timeout: 30_000 });
      pool.on("error", () => {});
      const tty = options.format === "text" && process.stdout.isTTY === true;
      try {
        const report = await copySqliteToPostgres({
          source,
          pool,
          onTable: tty
            ? (copied: TableCopied) =>
                io.out(
                  `  ${copied.table.padEnd(20)} ${thousands(copied.rows).padStart(12)} ${copied.rows === 1 ? "row " : "rows"}  ${seconds(copied.ms)}`,
                )
            : undefined,
        });
        if (options.format === "json") io.out(JSON.stringify({ ok: true, target, ...report }));
        else io.out(summary(report, target));
      } catch (error) {
        if (error instanceof MigrationRefused) throw error;
        const code = (error as { code?: string }).code;
        // Connection refused, unknown database, authentication: the server's own words, one line.
        throw new Error(
          `migrate-to ${target} failed${code ? ` (${code})` : ""}: ${(error as Error).message.split("\n")[0]}`,
        );
      } finally {
        source.close();
        await pool.end();
      }
    });
}
