/**
 * `npm run bench -- migrate-to [--rows=N]`: copying a SQLite database into an empty PostgreSQL
 * database (db/pg/copy-from-sqlite.ts), verification included. The source holds N subscribers
 * (default 200,000, imported from CSV) and a material notice to all of them (N deliveries), as
 * Redline writes them. Prints rows/s per large table and overall, and the process's peak memory
 * (it must stay flat: rows are streamed, never held). The target database is made on the local
 * server (`REDLINE_BENCH_PG_URL`, default postgres://postgres@127.0.0.1:5432/postgres) and dropped.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { resetEnv } from "../../app/env.server";
import { closeSharedDatabases } from "../../db/client";

const cli = { kind: "cli" } as const;
const SERVER = process.env.REDLINE_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** `--name=N` (the runner takes every argument without a leading dash for a suite name). */
function option(name: string, fallback: number): number {
  const given = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  const value = given ? Number(given.slice(name.length + 3)) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

async function writeCsv(file: string, rows: number) {
  const out = createWriteStream(file);
  out.write("externalId,email,name,locale,region,cohort\n");
  const regions = ["EU", "US", "APAC", "LATAM"];
  let buffer = "";
  for (let i = 0; i < rows; i++) {
    buffer += `user-${i},user-${i}@example.test,User ${i},${i % 5 === 0 ? "de" : "en"},${regions[i % 4]},${i % 50}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once("drain", () => r()));
      buffer = "";
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve) => out.end(resolve));
}

async function seed(file: string, rows: number) {
  await closeSharedDatabases();
  process.env.DATABASE_URL = `file:${file}`;
  process.env.LOG_LEVEL = "warn";
  resetEnv();
  const { migrate } = await import("../../app/setup.server");
  const { importSubscribersCsv } = await import("../../app/notify/csv-import.server");
  const { publishVersion } = await import("../../app/models/publication.server");
  const { saveDraft } = await import("../../app/models/drafts.server");
  const { parsePolicy } = await import("../../app/core/document");
  migrate();
  const csv = `${file}.csv`;
  await writeCsv(csv, rows);
  await importSubscribersCsv(csv);
  for (const [text, material] of [
    ["Version one.", false],
    ["Version two: we now share data with Parcelpay.", true],
  ] as const) {
    await saveDraft({
      slug: "bench",
      title: "Privacy Policy",
      content: parsePolicy(`# Privacy\n\n## 1. Sharing\n\n${text}`, "markdown").content,
      actor: cli,
    });
    await publishVersion({
      slug: "bench",
      request: material ? { material: true, summary: "Parcelpay." } : { material: false },
      actor: cli,
      noticePeriodDays: 30,
      requireApproval: false,
      notify: material ? { channels: ["email"] } : undefined,
    });
  }
  await closeSharedDatabases();
}

export async function run() {
  const rows = option("rows", 200_000);
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-migrate-to-"));
  const file = join(directory, "source.db");
  const name = `migrateto_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  try {
    let started = performance.now();
    await seed(file, rows);
    console.log(
      `source: ${rows.toLocaleString("en")} subscribers and as many deliveries, seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(SERVER);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
    pool.on("error", () => {});
    const source = new Database(file, { readonly: true });
    const { copySqliteToPostgres } = await import("../../db/pg/copy-from-sqlite");
    let peak = process.memoryUsage().rss;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const baseline = process.memoryUsage().rss;
    started = performance.now();
    const report = await copySqliteToPostgres({ source, pool });
    const totalMs = performance.now() - started;
    clearInterval(sample);
    source.close();
    // The ceiling for any client-side method: the same deliveries inserted by the server itself
    // into a twin table with the same indexes and foreign keys (rolled back).
    let ceiling = "";
    const twin = await pool.connect();
    try {
      await twin.query("BEGIN");
      await twin.query("CREATE TABLE deliveries_twin (LIKE deliveries INCLUDING ALL)");
      await twin.query(
        "ALTER TABLE deliveries_twin ADD FOREIGN KEY (notice_id) REFERENCES notices (id), ADD FOREIGN KEY (subscriber_id) REFERENCES subscribers (id)",
      );
      const at = performance.now();
      const { rowCount } = await twin.query("INSERT INTO deliveries_twin SELECT * FROM deliveries");
      const ms = performance.now() - at;
      ceiling = `  server-side INSERT … SELECT of the same ${(rowCount ?? 0).toLocaleString("en")} deliveries into a twin table (same indexes and foreign keys): ${(ms / 1000).toFixed(2)} s (${Math.round(((rowCount ?? 0) / ms) * 1000).toLocaleString("en")} rows/s)`;
      await twin.query("ROLLBACK");
    } finally {
      twin.release();
    }
    await pool.end();
    for (const table of report.tables.filter((t) => t.rows >= 1000)) {
      console.log(
        `  ${table.table}: ${table.rows.toLocaleString("en")} rows in ${(table.ms / 1000).toFixed(2)} s (${Math.round((table.rows / table.ms) * 1000).toLocaleString("en")} rows/s)`,
      );
    }
    console.log(ceiling);
    const copiedMs = report.tables.reduce((sum, t) => sum + t.ms, 0);
    console.log(
      `migrate-to, ${report.rows.toLocaleString("en")} rows: ${(totalMs / 1000).toFixed(2)} s in all (${Math.round((report.rows / totalMs) * 1000).toLocaleString("en")} rows/s), of which copying ${(copiedMs / 1000).toFixed(2)} s (${Math.round((report.rows / copiedMs) * 1000).toLocaleString("en")} rows/s) and migrating, locking, verifying and committing the rest; peak RSS ${Math.round(peak / 2 ** 20)} MB (${Math.round(baseline / 2 ** 20)} MB before)`,
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(directory, { recursive: true, force: true });
  }
}
