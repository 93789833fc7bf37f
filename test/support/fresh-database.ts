/**
 * Setup for integration tests: every test file gets its own freshly migrated SQLite file, named
 * in DATABASE_URL before any model opens it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { closeSharedDatabases } from "../../db/client";

const dir = mkdtempSync(join(tmpdir(), "redline-test-"));
process.env.DATABASE_URL = `file:${join(dir, "redline.db")}`;
process.env.NODE_ENV = "test";
// The key the test servers use too (test/support/server.ts), so the command line, the server and
// the test itself sign the audit log alike.
process.env.AUDIT_KEY = "a".repeat(40);

const { migrate } = await import("../../app/setup.server");
await migrate();

afterAll(() => {
  closeSharedDatabases();
  rmSync(dir, { recursive: true, force: true });
});

/** The directory holding this test file's database (for backups and scratch files). */
export const testDirectory = dir;
