import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";

let folder: string | undefined;

/** db/pg/migrations of this installation, found upwards from this module (sources or build/). */
export function pgMigrationsFolder(): string {
  if (folder) return folder;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, "migrations"), join(dir, "db", "pg", "migrations")]) {
      if (
        existsSync(join(candidate, "meta", "_journal.json")) &&
        candidate.includes(join("pg", "migrations"))
      ) {
        folder = candidate;
        return candidate;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("db/pg/migrations not found next to the installation");
    dir = parent;
  }
}

/**
 * Applies the committed PostgreSQL migrations. Web processes and workers may start together on
 * several hosts: a session-level advisory lock lets one migrate while the others wait, and they
 * then find nothing left to do.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('redline.migrate'))");
    try {
      await migrate(drizzle(client), { migrationsFolder: pgMigrationsFolder() });
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('redline.migrate'))");
    }
  } finally {
    client.release();
  }
}

/** How many of this installation's PostgreSQL migrations the database lacks (for /readyz). */
export async function missingPostgresMigrations(
  pool: pg.Pool,
): Promise<{ expected: number; missing: number }> {
  const expected = readMigrationFiles({ migrationsFolder: pgMigrationsFolder() }).map((m) => m.folderMillis);
  const { rows } = await pool
    .query<{ at: string }>("SELECT created_at AS at FROM drizzle.__drizzle_migrations")
    .catch(() => ({ rows: [] as { at: string }[] }));
  const applied = new Set(rows.map((row) => Number(row.at)));
  return { expected: expected.length, missing: expected.filter((at) => !applied.has(at)).length };
}
