import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { BUSY_WAIT_MS, type DatabaseEngine, Engine } from "./engine";
import { PgEngine } from "./pg/engine";
import * as schema from "./schema";

export type { Transaction } from "./engine";
export type RedlineDatabase = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * db/migrations of this installation: found upwards from this module, which runs from db/ in the
 * sources and from build/ (or a chunk below it) when compiled.
 */
function findMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, "migrations"), join(dir, "db", "migrations")]) {
      if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("db/migrations not found next to the installation");
    dir = parent;
  }
}

let folder: string | undefined;
let journal: number[] | undefined;

/** db/migrations of this installation (found once). */
export function migrationsFolder(): string {
  folder ??= findMigrationsFolder();
  return folder;
}

/** Which engine a `DATABASE_URL` names: PostgreSQL for postgres:// and postgresql://, else SQLite. */
export function engineKind(url: string): "sqlite" | "postgres" {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgres" : "sqlite";
}

/**
 * The default of DATA_DIR, the folder for files Redline keeps besides its database (a generated
 * session secret, the first admin's login): the SQLite file's folder, or ./data when the data lives
 * in PostgreSQL or memory.
 */
export function dataDirectory(url: string): string {
  if (engineKind(url) === "postgres") return resolve("data");
  const file = databaseFile(url);
  return file === ":memory:" ? resolve("data") : dirname(file);
}

/**
 * The file a `DATABASE_URL` names: `file:./data/redline.db`, `file:/abs/path.db` or `:memory:`.
 * Throws on anything else so that a typo never creates a database somewhere unexpected.
 */
export function databaseFile(url: string): string {
  if (url === ":memory:" || url === "file::memory:") return ":memory:";
  const match = /^file:(.+)$/.exec(url);
  if (!match) throw new Error(`DATABASE_URL must look like file:./data/redline.db, got "${url}"`);
  return resolve(match[1].replace(/^\/\/(?=\/)/, ""));
}

/**
 * Makes `file` readable and writable by its owner only (0600), creating it empty when missing.
 * SQLite gives the -wal, -shm and -journal files it creates the mode of the database file, so a
 * private database file keeps its companions private too. Existing companions are fixed as well.
 */
export function makePrivateFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (existsSync(file)) chmodSync(file, 0o600);
  else closeSync(openSync(file, "a", 0o600));
  for (const companion of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(companion)) chmodSync(companion, 0o600);
  }
}

/**
 * Opens (creating if needed) a SQLite database in WAL mode with foreign keys enforced. The file
 * holds subscribers' addresses and the audit log: it is created 0600 (and made so if it was not).
 */
function openDatabase(url: string): RedlineDatabase {
  const file = databaseFile(url);
  if (file !== ":memory:") makePrivateFile(file);
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  return drizzle(sqlite, { schema }) as RedlineDatabase;
}

/** Applies the committed SQL migrations in db/migrations. Run by scripts and at start, never on import. */
export function migrateDatabase(db: RedlineDatabase): void {
  migrate(db, { migrationsFolder: migrationsFolder() });
}

/**
 * Which of this installation's migrations (db/migrations/meta/_journal.json) the database lacks:
 * drizzle records each applied migration with its journal timestamp in `__drizzle_migrations`.
 */
export function missingMigrations(db: RedlineDatabase): { expected: number; missing: number } {
  // The migrations this code knows: they cannot change while it runs.
  journal ??= readMigrationFiles({ migrationsFolder: migrationsFolder() }).map((m) => m.folderMillis);
  const expected = journal;
  const applied = new Set(
    db.$client
      .prepare("SELECT created_at AS at FROM __drizzle_migrations")
      .all()
      .map((row) => Number((row as { at: unknown }).at)),
  );
  return { expected: expected.length, missing: expected.filter((at) => !applied.has(at)).length };
}

// The one global kept on purpose (indie-stack's singleton): in development every rebuild loads a
// fresh copy of the app's modules, and each would otherwise open the file again.
const registry = globalThis as typeof globalThis & { __redlineEngines?: Map<string, DatabaseEngine> };

/**
 * Closed in order at exit: the read connection first, so that the write connection is the file's
 * last and folds the WAL back into it (a read-only connection cannot), as a lone connection did.
 * Otherwise the addon closes them in whatever order it holds them, and a copy of the bare database
 * file made afterwards may lack the last commits.
 */
let closesAtExit = false;

/**
 * One engine per database for the whole process, kept across dev-server reloads: for SQLite a write
 * and a read connection (db/engine.ts), for PostgreSQL a pool (db/pg/engine.ts).
 */
export function sharedEngine(url: string): DatabaseEngine {
  registry.__redlineEngines ??= new Map();
  if (!closesAtExit) {
    closesAtExit = true;
    process.once("exit", closeSharedDatabases);
  }
  let engine = registry.__redlineEngines.get(url);
  if (!engine) {
    engine =
      engineKind(url) === "postgres"
        ? new PgEngine(url, { max: poolSize() })
        : new Engine(openDatabase(url), databaseFile(url));
    registry.__redlineEngines.set(url, engine);
  }
  return engine;
}

/** PG_POOL_SIZE connections per process (default 10): what the operator sizes max_connections by. */
function poolSize(): number {
  const size = Number(process.env.PG_POOL_SIZE ?? 10);
  return Number.isInteger(size) && size > 0 ? size : 10;
}

/**
 * Closes every shared handle (tests and graceful shutdown). SQLite connections close at once (this
 * also runs at exit, which cannot wait); the promise settles when PostgreSQL pools have ended.
 */
export function closeSharedDatabases(): Promise<void> {
  const engines = [...(registry.__redlineEngines?.values() ?? [])];
  registry.__redlineEngines?.clear();
  const pending: Promise<void>[] = [];
  for (const engine of engines) {
    if (engine instanceof Engine) engine.closeNow();
    else pending.push(engine.close());
  }
  return Promise.all(pending).then(() => undefined);
}
