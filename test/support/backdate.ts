/**
 * Tests of time-based behaviour (retention) need rows that look as if written long ago. The
 * database refuses to rewrite a delivery's times (ADR 0011), so such a test steps around the
 * protective triggers of one table for the length of its setup, as only someone with the file (or
 * the PostgreSQL owner's role) could, and puts them back: on SQLite with the same code that restores
 * them at every start, on PostgreSQL by enabling the table's triggers again.
 */
import { sql } from "drizzle-orm";
import { db } from "../../app/models/db.server";
import { migrationsFolder } from "../../db/client";
import { execute } from "../../db/dialect";
import { restoreTriggers } from "../../db/rules";
import { TEST_ENGINE } from "./databases";

export async function backdate(table: string, write: () => Promise<unknown>): Promise<void> {
  if (TEST_ENGINE === "postgres") {
    await execute(db(), sql.raw(`ALTER TABLE "${table}" DISABLE TRIGGER USER`));
    try {
      await write();
    } finally {
      await execute(db(), sql.raw(`ALTER TABLE "${table}" ENABLE TRIGGER USER`));
    }
    return;
  }
  const client = db().$client;
  const triggers = client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
    .pluck()
    .all(table) as string[];
  for (const name of triggers) client.exec(`DROP TRIGGER "${name}"`);
  try {
    await write();
  } finally {
    restoreTriggers(client, migrationsFolder());
  }
}
