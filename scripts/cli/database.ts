import { getEnv } from "../../app/env.server";
import { db } from "../../app/models/db.server";
import { migrateDatabase } from "../../db/client";

/** Validates the settings, opens the database named by DATABASE_URL and brings its schema up to date. */
export function openDatabase(): void {
  getEnv();
  migrateDatabase(db());
}
