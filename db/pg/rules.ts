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

/**
 * Comparable form of a CREATE TRIGGER: PostgreSQL gives it back (`pg_get_triggerdef`) on one line,
 * with the table qualified by its schema and quotes only where needed; older servers say
 * `EXECUTE PROCEDURE`.
 */
function triggerForm(statement: string): string {
  return squeeze(bare(statement))
    .replace(/"/g, "")
    .replace(/\bON \w+\./i, "ON ")
    .replace(/\bEXECUTE (?:FUNCTION|PROCEDURE) \w+\./i, "EXECUTE FUNCTION ")
    .replace(/\bEXECUTE PROCEDURE\b/i, "EXECUTE FUNCTION")
    .toLowerCase();
}

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

/** Anything that runs a query: a Pool, a Client or a pool's client. */
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
export async function inspectTriggers(db: Queryable, folder: string): Promise<RuleProblem[]> {
  return inspect(db, expectedRules(folder));
}

async function inspect(db: Queryable, expected: ExpectedRules): Promise<RuleProblem[]> {
  const triggers = await installedTriggers(db);
  const functions = await installedFunctions(db, [...expected.functions.keys()]);
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
    const actual = triggers.get(key);
    if (!actual) add(trigger.name, "missing");
    else if (triggerForm(actual.definition) !== triggerForm(trigger.statement)) add(trigger.name, "altered");
    // 'O' fires in normal sessions; 'D' never, 'R' only on a replica, 'A' always (still altered).
    else if (actual.enabled !== "O") add(trigger.name, actual.enabled === "A" ? "altered" : "disabled");
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
export async function restoreTriggers(db: pg.Pool | pg.ClientBase, folder: string): Promise<RuleProblem[]> {
  const expected = expectedRules(folder);
  const client = db instanceof pg.Pool ? await db.connect() : db;
  try {
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
      const installed = await installedTriggers(client);
      for (const [key, trigger] of expected.triggers) {
        const actual = installed.get(key);
        if (
          actual &&
          triggerForm(actual.definition) === triggerForm(trigger.statement) &&
          actual.enabled === "O"
        ) {
          continue;
        }
        await client.query(`DROP TRIGGER IF EXISTS "${trigger.name}" ON "${trigger.table}"`);
        await client.query(trigger.statement);
      }
      await client.query("COMMIT");
      return repaired;
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  } finally {
    if (client !== db) (client as pg.PoolClient).release();
  }
}
