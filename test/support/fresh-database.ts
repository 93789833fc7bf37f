/**
 * Setup for integration tests: every test file gets its own freshly migrated database — a SQLite
 * file, or a PostgreSQL database in the `integration-pg` project (test/support/databases.ts) —
 * named in DATABASE_URL before any model opens it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { closeSharedDatabases } from "../../db/client";
import { createPostgresDatabase, TEST_ENGINE } from "./databases";

const dir = mkdtempSync(join(tmpdir(), "redline-test-"));
const postgres = TEST_ENGINE === "postgres" ? await createPostgresDatabase() : null;
process.env.DATABASE_URL = postgres?.url ?? `file:${join(dir, "redline.db")}`;
process.env.NODE_ENV = "test";
// Generated secrets of the test itself and of the commands it runs stay in its own folder, never in
// ./data of the working directory (PostgreSQL's default DATA_DIR).
process.env.DATA_DIR = dir;
// The key the test servers use too (test/support/server.ts), so the command line, the server and
// the test itself sign the audit log alike.
process.env.AUDIT_KEY = "a".repeat(40);

const { migrate } = await import("../../app/setup.server");
await migrate();

afterAll(async () => {
  await closeSharedDatabases();
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The directory holding this test file's database (for backups and scratch files). */
export const testDirectory = dir;
