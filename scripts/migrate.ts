/** `npm run db:migrate`: applies db/migrations to the database named by DATABASE_URL. */

import { ConfigError, getEnv } from "../app/env.server";
import { migrate, repairNotice } from "../app/setup.server";
import { databaseFile } from "../db/client";

try {
  const env = getEnv();
  const repaired = repairNotice(migrate());
  console.log(`migrated ${databaseFile(env.DATABASE_URL)}`);
  if (repaired) console.warn(repaired);
} catch (error) {
  console.error(
    error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
