/**
 * The database's protective rules on PostgreSQL (ADR 0011, 0017): the twin of db/rules.ts. A rule
 * is a PL/pgSQL function and the trigger(s) that run it, defined in the committed migrations of
 * db/pg/migrations. Whoever owns the tables can drop, replace or disable one; every migrate run
 * compares what the database holds with what the migrations define and re-creates whatever is
 * missing, altered or disabled, so a dropped rule does not survive a restart.
 *
 * As on SQLite, the migrations are the only definition: a rule a later migration adds (or drops)
 * is covered without being listed here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

export type RuleProblem = {
  name: string;
  problem: "missing" | "altered" | "disabled" | "unexpected";
};

type Journal = { entries: { tag: string }[] };

/** A trigger as a migration creates it: on which table, with which statement. */
type ExpectedTrigger = { name: string; table: string; statement: string };
/** A trigger function as a migration creates it: its statement and the body between its dollar quotes. */
type ExpectedFunction = { name: string; statement: string; body: string };

export type ExpectedRules = {
  /** keyed by `table.trigger` (PostgreSQL names triggers per table) */
  triggers: Map<string, ExpectedTrigger>;
  functions: Map<string, ExpectedFunction>;
};

const NAME = String.raw`(?:"?\w+"?\.)?"?(\w+)"?`;
const CREATE_FUNCTION = new RegExp(
  String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+${NAME}\s*\(\s*\)`,
  "i",
);
const CREATE_TRIGGER = new RegExp(
  String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?TRIGGER\s+"?(\w+)"?\s[\s\S]*?\sON\s+${NAME}\s`,
  "i",
);
const DROP_FUNCTION = new RegExp(String.raw`^DROP\s+FUNCTION\s+(?:IF\s+EXISTS\s+)?${NAME}`, "i");
const DROP_TRIGGER = new RegExp(
  String.raw`^DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?\s+ON\s+${NAME}`,
  "i",
);
const BODY = /\sAS\s+\$(\w*)\$([\s\S]*)\$\1\$/i;

/** A statement without its leading comment lines and trailing semicolon. */
function bare(statement: string): string {
  const lines = statement.split("\n");
  const start = lines.findIndex((line) => !/^\s*(--.*)?$/.test(line));
  return start < 0 ? "" : lines.slice(start).join("\n").trim().replace(/;\s*$/, "");
}

/** Comparable form of a body: only whitespace may differ harmlessly. */
const squeeze = (text: string) => text.replace(/\s+/g, " ").trim();

/** A trigger definition as `pg_get_triggerdef` prints it, with its table named without a schema. */
const onTable = (definition: string, table: string) => definition.replace(/ ON \S+ /, ` ON ${table} `);

/** Every trigger and trigger function the migrations in `folder` leave, in journal order. */
export function expectedRules(folder: string): ExpectedRules {
  const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as Journal;
  const triggers = new Map<string, ExpectedTrigger>();
  const functions = new Map<string, ExpectedFunction>();
  for (const { tag } of journal.entries) {
    const source = readFileSync(join(folder, `${tag}.sql`), "utf8");
    for (const chunk of source.split("--> statement-breakpoint")) {
      const statement = bare(chunk);
      const fn = CREATE_FUNCTION.exec(statement);
      const body = BODY.exec(statement);
      if (fn && body) functions.set(fn[1], { name: fn[1], statement, body: body[2] });
      const trigger = CREATE_TRIGGER.exec(statement);
      if (trigger) {
        triggers.set(`${trigger[2]}.${trigger[1]}`, { name: trigger[1], table: trigger[2], statement });
      }
      const droppedFunction = DROP_FUNCTION.exec(statement);
      if (droppedFunction) functions.delete(droppedFunction[1]);
      const droppedTrigger = DROP_TRIGGER.exec(statement);
      if (droppedTrigger) triggers.delete(`${droppedTrigger[2]}.${droppedTrigger[1]}`);
    }
  }
  return { triggers, functions };
}

/** A Pool, a Client or a pool's client. */
type Database = pg.Pool | pg.ClientBase;
type Queryable = Pick<pg.ClientBase, "query">;

type InstalledTrigger = { name: string; table: string; definition: string; enabled: string };
type InstalledFunction = {
  name: string;
  body: string;
  language: string;
  definer: boolean;
  config: string[] | null;
};

async function installedTriggers(db: Queryable): Promise<Map<string, InstalledTrigger>> {
  // Internal triggers are the ones behind foreign keys; constraint triggers are not Redline's either.
  const { rows } = await db.query<InstalledTrigger>(`
    SELECT t.tgname AS name, c.relname AS "table", pg_get_triggerdef(t.oid) AS definition,
           t.tgenabled AS enabled
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
    ORDER BY t.tgname, c.relname`);
  return new Map(rows.map((row) => [`${row.table}.${row.name}`, row]));
}

async function installedFunctions(db: Queryable, names: string[]): Promise<Map<string, InstalledFunction>> {
  const { rows } = await db.query<InstalledFunction>(
    `SELECT p.proname AS name, p.prosrc AS body, l.lanname AS language, p.prosecdef AS definer,
            p.proconfig AS config
     FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
     WHERE p.pronamespace = current_schema()::regnamespace AND p.pronargs = 0
       AND p.prorettype = 'trigger'::regtype AND p.proname = ANY($1)`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, row]));
}

const PROBE = "redline_rule_probe";
const printed = new Map<string, Map<string, string>>();

/**
 * Each expected trigger as this server prints it. A WHEN clause comes back reformatted (parentheses,
 * casts, lower case), differently across versions, so the migration's text cannot be compared with
 * the catalog's: each trigger is created on an empty temporary copy of its table, printed, and
 * rolled back. Inside a caller's transaction that is a savepoint. Kept per process: the server's
 * printing and the migrations do not change while it runs.
 */
async function printedTriggers(client: pg.ClientBase, expected: ExpectedRules): Promise<Map<string, string>> {
  const version = (await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v"))
    .rows[0].v;
  const statements = [...expected.triggers.values()].map((t) => t.statement);
  const key = [version, ...statements].join("\n");
  const known = printed.get(key);
  if (known) return known;
  const inTransaction = await client.query(`SAVEPOINT ${PROBE}`).then(
    () => true,
    () => false,
  );
  if (!inTransaction) await client.query("BEGIN");
  try {
    const tables = new Set([...expected.triggers.values()].map((t) => t.table));
    for (const table of tables) await client.query(`CREATE TEMP TABLE "${PROBE}_${table}" (LIKE "${table}")`);
    for (const trigger of expected.triggers.values()) {
      await client.query(trigger.statement.replace(/(\sON\s+)\S+(\s)/i, `$1"${PROBE}_${trigger.table}"$2`));
    }
    const { rows } = await client.query<{ name: string; table: string; definition: string }>(
      `SELECT t.tgname AS name, substr(c.relname, $1) AS "table", pg_get_triggerdef(t.oid) AS definition
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE $2`,
      [PROBE.length + 2, `${PROBE}\\_%`],
    );
    const forms = new Map(
      rows.map((row) => [`${row.table}.${row.name}`, onTable(row.definition, row.table)]),
    );
    printed.set(key, forms);
    return forms;
  } finally {
    await client.query(inTransaction ? `ROLLBACK TO SAVEPOINT ${PROBE}` : "ROLLBACK");
    if (inTransaction) await client.query(`RELEASE SAVEPOINT ${PROBE}`);
  }
}

/** Runs `fn` on one connection: the one given, or one of the pool's. */
async function onOneConnection<T>(db: Database, fn: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  if (!(db instanceof pg.Pool)) return fn(db);
  const client = await db.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/**
 * A function is as its migration wrote it when its body is, and nothing around the body changes
 * what it does: still PL/pgSQL, not run with its owner's rights, no settings of its own (a
 * `search_path` would point its table names elsewhere).
 */
function functionAltered(expected: ExpectedFunction, installed: InstalledFunction): boolean {
  return (
    squeeze(installed.body) !== squeeze(expected.body) ||
    installed.language !== "plpgsql" ||
    installed.definer ||
    (installed.config?.length ?? 0) > 0
  );
}

/**
 * Rules that are missing, differ from their migration or are disabled, and triggers no migration
 * defines. A function is named by its own name (each rule's function is named as its trigger).
 */
export async function inspectTriggers(db: Database, folder: string): Promise<RuleProblem[]> {
  const expected = expectedRules(folder);
  return onOneConnection(db, (client) => inspect(client, expected));
}

/** Whether an installed trigger is the one its migration creates, enabled. */
type Standing = "in place" | "missing" | "altered" | "disabled";

function standing(actual: InstalledTrigger | undefined, form: string | undefined): Standing {
  if (!actual) return "missing";
  if (onTable(actual.definition, actual.table) !== form) return "altered";
  // 'O' fires in normal sessions; 'D' never, 'R' only on a replica, 'A' always (not as defined).
  if (actual.enabled === "O") return "in place";
  return actual.enabled === "A" ? "altered" : "disabled";
}

async function inspect(client: pg.ClientBase, expected: ExpectedRules): Promise<RuleProblem[]> {
  const forms = await printedTriggers(client, expected);
  const triggers = await installedTriggers(client);
  const functions = await installedFunctions(client, [...expected.functions.keys()]);
  const problems: RuleProblem[] = [];
  const add = (name: string, problem: RuleProblem["problem"]) => {
    if (!problems.some((p) => p.name === name)) problems.push({ name, problem });
  };
  for (const [name, fn] of expected.functions) {
    const actual = functions.get(name);
    if (!actual) add(name, "missing");
    else if (functionAltered(fn, actual)) add(name, "altered");
  }
  for (const [key, trigger] of expected.triggers) {
    const state = standing(triggers.get(key), forms.get(key));
    if (state !== "in place") add(trigger.name, state);
  }
  for (const [key, trigger] of triggers) {
    if (!expected.triggers.has(key)) problems.push({ name: trigger.name, problem: "unexpected" });
  }
  return problems;
}

/**
 * Re-creates every rule that is missing, altered or disabled, in one transaction, and returns what
 * it repaired (empty when all was in order). Triggers no migration defines are left alone and only
 * reported by `inspectTriggers`: they may be someone's deliberate addition. Processes starting
 * together queue on an advisory lock, so the second finds nothing left to repair.
 */
export async function restoreTriggers(db: Database, folder: string): Promise<RuleProblem[]> {
  const expected = expectedRules(folder);
  return onOneConnection(db, async (client) => {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('redline.rules'))");
      const repaired = (await inspect(client, expected)).filter((p) => p.problem !== "unexpected");
      const names = new Set(repaired.map((p) => p.name));
      for (const fn of expected.functions.values()) {
        if (!names.has(fn.name)) continue;
        // Dropped, not replaced: CREATE OR REPLACE keeps whatever was changed around the body.
        // CASCADE takes its triggers along; they are re-created below.
        await client.query(`DROP FUNCTION IF EXISTS "${fn.name}"() CASCADE`);
        await client.query(fn.statement);
      }
      // Every trigger not in place, those of the functions dropped just above included.
      const forms = await printedTriggers(client, expected);
      const installed = await installedTriggers(client);
      for (const [key, trigger] of expected.triggers) {
        if (standing(installed.get(key), forms.get(key)) === "in place") continue;
        await client.query(`DROP TRIGGER IF EXISTS "${trigger.name}" ON "${trigger.table}"`);
        await client.query(trigger.statement);
      }
      await client.query("COMMIT");
      return repaired;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  });
}
