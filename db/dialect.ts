/**
 * The few places where SQLite (better-sqlite3) and PostgreSQL (node-postgres) answer a query
 * differently, so that models never do (ADR 0017, decision 4). Models await every query:
 *
 * - a query builder is awaited as is — `await tx.select()…` and `await tx.insert()….returning()`
 *   give rows on both engines; `first(…)` takes the first of them;
 * - an UPDATE or DELETE without RETURNING gives a driver result: `affected(…)` reads its count;
 * - raw SQL goes through `rows`, `row` and `execute` (SQLite's `all/get/run` and PostgreSQL's
 *   `execute` are different methods with different results).
 */
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/** A database or a transaction of either engine: anything a model runs a query on. */
// biome-ignore lint/suspicious/noExplicitAny: both drivers' databases and transactions qualify.
export type Queryable = any;

function isSqlite(db: Queryable): boolean {
  return typeof db.all === "function";
}

/** The first row a query gives, or undefined. */
export async function first<T>(query: PromiseLike<T[]>): Promise<T | undefined> {
  const result = await query;
  return result[0];
}

/** How many rows an awaited UPDATE/DELETE/INSERT without RETURNING changed, on either engine. */
export function affected(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return Number(r.changes ?? r.rowCount ?? 0);
}

/** Every row of a raw SQL query. */
export async function rows<T>(db: Queryable, query: SQL): Promise<T[]> {
  if (isSqlite(db)) return db.all(query) as T[];
  const result = await db.execute(query);
  return result.rows as T[];
}

/** The first row of a raw SQL query, or undefined. */
export async function row<T>(db: Queryable, query: SQL): Promise<T | undefined> {
  return (await rows<T>(db, query))[0];
}

/** Runs a raw SQL statement; resolves to the number of rows it changed. */
export async function execute(db: Queryable, query: SQL): Promise<number> {
  if (isSqlite(db)) return Number(db.run(query).changes);
  const result = await db.execute(query);
  return Number(result.rowCount ?? 0);
}

/**
 * `count(*)` as a number on both engines (PostgreSQL's is a bigint, which node-postgres gives as a
 * string).
 */
export const countAll = () => sql<number>`count(*)`.mapWith(Number);

/** Milliseconds since the epoch on the database server's clock: one clock for every host. */
export function epochMs(db: Queryable): SQL<number> {
  return isSqlite(db)
    ? sql<number>`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
    : sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`;
}

/** The larger of two values (SQLite's two-argument max(), PostgreSQL's greatest()). */
export function greatest(db: Queryable, a: SQL, b: SQL): SQL {
  return isSqlite(db) ? sql`max(${a}, ${b})` : sql`greatest(${a}, ${b})`;
}

/**
 * One attribute of a JSON column as text, for a comparison with bound values (audience filters):
 * `json_extract` on SQLite, `->>` on PostgreSQL. The key is bound, never spliced into the statement.
 */
export function jsonText(db: Queryable, column: SQLWrapper, key: string): SQL {
  return isSqlite(db) ? sql`json_extract(${column}, ${`$."${key}"`})` : sql`(${column}::jsonb ->> ${key})`;
}

/**
 * The values of `expression` over a group joined by `separator`: `group_concat` on SQLite,
 * `string_agg` on PostgreSQL (whose operands must be text).
 */
export function joinedText(db: Queryable, expression: SQL, separator: string): SQL {
  return isSqlite(db)
    ? sql`group_concat(${expression}, ${separator})`
    : sql`string_agg((${expression})::text, ${separator})`;
}

/**
 * A JSON column read through raw SQL: text on SQLite, already parsed by node-postgres (json/jsonb).
 */
export function jsonValue<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/**
 * The rows of a JSON array of arrays bound as ONE parameter, as a FROM item `alias(value)` whose
 * `value` is each inner array (`json_each` on SQLite, `json_array_elements` on PostgreSQL): a bulk
 * insert of thousands of rows then costs one bound value, not one per field. Read fields with
 * `jsonField`.
 */
export function jsonArrayRows(db: Queryable, rowsOfValues: unknown[][], alias: string): SQL {
  const json = JSON.stringify(rowsOfValues);
  return isSqlite(db)
    ? sql`json_each(${json}) AS ${sql.raw(alias)}`
    : sql`json_array_elements(${json}::json) AS ${sql.raw(alias)}(value)`;
}

/** Field `index` of a `jsonArrayRows` row, as an SQL value of `type` (INTEGER or TEXT). */
export function jsonField(alias: string, index: number, type: "INTEGER" | "TEXT"): SQL {
  return sql.raw(`CAST(${alias}.value ->> ${index} AS ${type})`);
}

/**
 * Row locks for a SELECT that picks rows to write (PostgreSQL): `FOR UPDATE SKIP LOCKED` passes over
 * rows another transaction holds, `FOR UPDATE` waits for them, `FOR SHARE OF <alias>` keeps the rows
 * from changing until the commit. Nothing on SQLite, whose transactions each hold its one write lock.
 */
export function rowLock(db: Queryable, mode: "skip-locked" | "wait" | { shareOf: string }): SQL {
  if (isSqlite(db)) return sql``;
  if (mode === "skip-locked") return sql` FOR UPDATE SKIP LOCKED`;
  if (mode === "wait") return sql` FOR UPDATE`;
  return sql.raw(` FOR SHARE OF ${mode.shareOf}`);
}

/**
 * The key/value pairs of a JSON object column as a FROM item `alias(key, value)`, values as text:
 * `json_each` on SQLite, `jsonb_each_text` on PostgreSQL.
 */
export function jsonEntries(db: Queryable, column: SQL, alias: string): SQL {
  return isSqlite(db)
    ? sql`json_each(${column}) AS ${sql.raw(alias)}`
    : sql`jsonb_each_text(${column}::jsonb) AS ${sql.raw(alias)}(key, value)`;
}
