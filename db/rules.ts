/**
 * The database's protective triggers (ADR 0011): published text, proof rows and the audit log are
 * guarded by triggers defined in the committed migrations. Someone with the file can drop one by
 * hand; every migrate run compares the triggers in the file with the ones the migrations define and
 * re-creates any that is missing or altered, so a dropped rule does not survive a restart.
 *
 * The migrations are the only definition: whatever trigger a later migration adds (or drops) is
 * covered without being listed here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";

export type TriggerProblem = { name: string; problem: "missing" | "altered" | "unexpected" };

type Journal = { entries: { tag: string }[] };

const CREATE = /^CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"[]?(\w+)[`"\]]?/i;
const DROP = /^DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?[`"[]?(\w+)[`"\]]?/i;

/** A statement without its leading comment lines and trailing semicolon, as SQLite stores it. */
function bare(statement: string): string {
  const lines = statement.split("\n");
  const start = lines.findIndex((line) => !/^\s*(--.*)?$/.test(line));
  return start < 0 ? "" : lines.slice(start).join("\n").trim().replace(/;\s*$/, "");
}

/** Comparable form: SQLite keeps the text as written; only whitespace may differ harmlessly. */
const normal = (sql: string) => bare(sql).replace(/\s+/g, " ");

/** name → CREATE TRIGGER statement, as the migrations in `folder` leave them, in journal order. */
export function expectedTriggers(folder: string): Map<string, string> {
  const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as Journal;
  const triggers = new Map<string, string>();
  for (const { tag } of journal.entries) {
    const source = readFileSync(join(folder, `${tag}.sql`), "utf8");
    for (const chunk of source.split("--> statement-breakpoint")) {
      const statement = bare(chunk);
      const created = CREATE.exec(statement);
      if (created) triggers.set(created[1], statement);
      const dropped = DROP.exec(statement);
      if (dropped) triggers.delete(dropped[1]);
    }
  }
  return triggers;
}

function installedTriggers(sqlite: Database.Database): Map<string, string> {
  const rows = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
    sql: string;
  }[];
  return new Map(rows.map((row) => [row.name, row.sql]));
}

/** Triggers that are missing, differ from their migration, or that no migration defines. */
export function inspectTriggers(sqlite: Database.Database, folder: string): TriggerProblem[] {
  const expected = expectedTriggers(folder);
  const installed = installedTriggers(sqlite);
  const problems: TriggerProblem[] = [];
  for (const [name, sql] of expected) {
    const actual = installed.get(name);
    if (actual === undefined) problems.push({ name, problem: "missing" });
    else if (normal(actual) !== normal(sql)) problems.push({ name, problem: "altered" });
  }
  for (const name of installed.keys()) {
    if (!expected.has(name)) problems.push({ name, problem: "unexpected" });
  }
  return problems;
}

/**
 * Re-creates every protective trigger that is missing or altered, in one transaction, and returns
 * what it repaired (empty when all was in order). Triggers no migration defines are left alone and
 * only reported by `inspectTriggers`: they may be someone's deliberate addition.
 */
export function restoreTriggers(sqlite: Database.Database, folder: string): TriggerProblem[] {
  const expected = expectedTriggers(folder);
  return sqlite
    .transaction(() => {
      const repaired = inspectTriggers(sqlite, folder).filter((p) => p.problem !== "unexpected");
      for (const { name } of repaired) {
        sqlite.exec(`DROP TRIGGER IF EXISTS "${name}"`);
        sqlite.exec(expected.get(name)!);
      }
      return repaired;
    })
    .immediate();
}
