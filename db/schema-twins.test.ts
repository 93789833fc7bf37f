/**
 * The SQLite schema and its PostgreSQL twin must not drift (ADR 0017): models are written once,
 * against the SQLite types, and run on whichever db/tables.ts picks.
 */
import { getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pg from "./pg/schema";
import * as sqlite from "./schema";

type Shape = {
  columns: Record<string, { name: string; notNull: boolean; hasDefault: boolean; primary: boolean }>;
  indexes: string[];
  checks: string[];
  foreignKeys: string[];
};

// Defined outside the SQLite schema, in its custom migration (0001), on SQLite only.
const MIGRATION_ONLY_INDEXES = ["versions_one_open_per_document"];

function shapeOf(
  config: ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>,
  table: object,
): Shape {
  const columns: Shape["columns"] = {};
  for (const [key, column] of Object.entries(table)) {
    if (!column || typeof column !== "object" || !("columnType" in column)) continue;
    const c = column as { name: string; notNull: boolean; hasDefault: boolean; primary: boolean };
    columns[key] = { name: c.name, notNull: c.notNull, hasDefault: c.hasDefault, primary: c.primary };
  }
  return {
    columns,
    indexes: config.indexes
      .map((index) => index.config.name ?? "")
      .filter((name) => !MIGRATION_ONLY_INDEXES.includes(name))
      .sort(),
    checks: config.checks.map((check) => check.name).sort(),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${ref.columns.map((c) => c.name).join(",")}->${ref.foreignColumns.map((c) => c.name).join(",")}`;
      })
      .sort(),
  };
}

const tableNames = Object.keys(sqlite).filter((key) => {
  const value = (sqlite as Record<string, unknown>)[key];
  return typeof value === "object" && value !== null && Symbol.for("drizzle:IsDrizzleTable") in value;
});

describe("the PostgreSQL schema twin", () => {
  it("has every SQLite table and no other", () => {
    const pgTables = Object.keys(pg).filter((key) => {
      const value = (pg as Record<string, unknown>)[key];
      return typeof value === "object" && value !== null && Symbol.for("drizzle:IsDrizzleTable") in value;
    });
    expect(tableNames.length).toBeGreaterThan(10);
    expect(pgTables.sort()).toEqual([...tableNames].sort());
  });

  it.each(tableNames)("%s: same columns, keys, defaults, indexes, checks and references", (name) => {
    const s = (sqlite as unknown as Record<string, never>)[name];
    const p = (pg as unknown as Record<string, never>)[name];
    const sqliteShape = shapeOf(sqliteConfig(s), s);
    const pgShape = shapeOf(pgConfig(p), p);
    expect(pgConfig(p).name).toBe(sqliteConfig(s).name);
    expect(pgShape).toEqual(sqliteShape);
  });
});
