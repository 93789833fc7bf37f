/**
 * The database each test file and each test server gets: a fresh SQLite file, or — when the suite
 * runs on PostgreSQL (`REDLINE_TEST_ENGINE=postgres`, the `integration-pg` project) — a fresh
 * PostgreSQL database copied from a migrated template (`CREATE DATABASE … TEMPLATE`, a file copy
 * on the server: milliseconds, instead of running every migration per file).
 */
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const TEST_ENGINE: "sqlite" | "postgres" =
  process.env.REDLINE_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

/** The server the PostgreSQL run uses (the machine's local one unless told otherwise). */
const SERVER = process.env.REDLINE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const MIGRATIONS = fileURLToPath(new URL("../../db/pg/migrations", import.meta.url));

/** Named after the migrations it holds, so that a changed migration makes a new template. */
function templateName(): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(MIGRATIONS).sort()) {
    if (file.endsWith(".sql")) hash.update(readFileSync(join(MIGRATIONS, file)));
  }
  hash.update(readFileSync(join(MIGRATIONS, "meta", "_journal.json")));
  return `redline_tpl_${hash.digest("hex").slice(0, 12)}`;
}

function urlOf(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the migrated template once per run (vitest globalSetup of the PostgreSQL projects), and
 * drops templates of older migrations and databases left behind by interrupted runs.
 */
export async function prepareTemplate(): Promise<void> {
  const template = templateName();
  const existing = await onServer(async (client) => {
    // Other worktrees on the same server run other migrations at the same time: a template is only
    // dropped once nobody has used it for a day (each run stamps its template's comment). The prefix
    // redline_tpl_ keeps these templates out of reach of older copies of this code, which dropped
    // every redline_template_ but their own.
    const { rows } = await client.query<{ datname: string; used: string | null }>(
      `SELECT datname, shobj_description(oid, 'pg_database') AS used FROM pg_database
       WHERE datname LIKE 'redline\\_tpl\\_%' OR datname LIKE 'redline\\_template\\_%'`,
    );
    for (const { datname, used } of rows) {
      if (datname === template) continue;
      if (!used || !(Date.now() - Number(used) > 86_400_000)) continue;
      await client.query(`ALTER DATABASE "${datname}" IS_TEMPLATE false`);
      await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    }
    return rows.some((r) => r.datname === template);
  });
  if (existing) return stamp(template);
  const building = `${template}_building_${process.pid}`;
  await onServer((client) => client.query(`CREATE DATABASE "${building}"`));
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new pg.Pool({ connectionString: urlOf(building), max: 1 });
  try {
    await migrate(drizzle(pool), { migrationsFolder: MIGRATIONS });
  } finally {
    await pool.end();
  }
  await onServer(async (client) => {
    await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    await client.query(`ALTER DATABASE "${template}" IS_TEMPLATE true`);
  });
  await stamp(template);
}

/** Marks a template as used now (see prepareTemplate). */
async function stamp(template: string): Promise<void> {
  await onServer((client) => client.query(`COMMENT ON DATABASE "${template}" IS '${Date.now()}'`));
}

/** A new PostgreSQL database from the template; `drop` removes it (closing any connection left). */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `redline_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const template = templateName();
  await onServer((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    url: urlOf(name),
    drop: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
