import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const alias = { "~": fileURLToPath(new URL("./app", import.meta.url)) };

/**
 * Tests that measure time as a provider sees it (request spacing): they run last and alone, since
 * two cores shared with other test files add tens of milliseconds of scheduling jitter.
 */
const TIMING = ["test/integration/notify-rate.test.ts"];

/**
 * Not yet run on PostgreSQL (issue 13, ADR 0017 step 3): database.test.ts is about SQLite's own
 * connection (WAL, pragmas, savepoints on the synchronous client); PostgreSQL's rules are tested
 * in pg-rules.test.ts.
 */
const NOT_YET_ON_POSTGRESQL = ["database"].map((name) => `test/integration/${name}.test.ts`);

/**
 * Files about PostgreSQL itself that create and drop their own databases on the server: they run in
 * the SQLite project's run already (which needs the local server too) and would only repeat there.
 */
const OWN_DATABASES = ["test/integration/pg-rules.test.ts", "test/integration/pg-listener.test.ts"];

/**
 * Projects that start the real server (build/server.js) or the compiled command line check for the
 * build first. The unit project needs none: `npm run test:unit` works on a fresh clone.
 */
const requireBuild = ["./test/support/require-build.ts"];

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles: ["./test/setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "app/**/*.test.{ts,tsx}",
            "server/**/*.test.ts",
            "scripts/**/*.test.ts",
            "db/**/*.test.ts",
            "test/*.test.ts",
          ],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: TIMING,
          globalSetup: requireBuild,
          setupFiles: ["./test/setup.ts", "./test/support/fresh-database.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The same integration suite on PostgreSQL (ADR 0017): each test file and each test server
        // gets its own database, copied from a migrated template.
        extends: true,
        test: {
          name: "integration-pg",
          include: ["test/integration/**/*.test.ts"],
          exclude: [...TIMING, ...NOT_YET_ON_POSTGRESQL, ...OWN_DATABASES],
          globalSetup: [...requireBuild, "./test/support/postgres-template.ts"],
          setupFiles: ["./test/setup.ts", "./test/support/fresh-database.ts"],
          env: { REDLINE_TEST_ENGINE: "postgres" },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "timing",
          include: TIMING,
          globalSetup: requireBuild,
          setupFiles: ["./test/setup.ts", "./test/support/fresh-database.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: requireBuild,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One browser at a time, after the other files: the machines have two cores.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
