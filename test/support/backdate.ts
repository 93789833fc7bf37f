/**
 * Tests of time-based behaviour (retention) need rows that look as if written long ago. The
 * database refuses to rewrite a delivery's times (ADR 0011), so such a test steps around the
 * protective triggers of one table for the length of its setup, as only someone with the file
 * could, and puts them back with the same code that restores them at every start.
 */
import { db } from "../../app/models/db.server";
import { migrationsFolder } from "../../db/client";
import { restoreTriggers } from "../../db/rules";

export function backdate(table: string, write: () => void): void {
  const client = db().$client;
  const triggers = client
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
    .pluck()
    .all(table) as string[];
  for (const name of triggers) client.exec(`DROP TRIGGER "${name}"`);
  try {
    write();
  } finally {
    restoreTriggers(client, migrationsFolder());
  }
}
