import { getEnv } from "../../app/env.server";
import { type MigrationReport, migrate, repairNotice } from "../../app/models/migrations.server";

const stderr = (text: string) => process.stderr.write(`${text}\n`);

/**
 * Validates the settings, opens the database named by DATABASE_URL and brings it up to date —
 * saying so when a protective trigger had to be restored (someone dropped or altered it by hand).
 */
export async function openDatabase(warn: (text: string) => void = stderr): Promise<MigrationReport> {
  getEnv();
  const report = await migrate();
  const repaired = repairNotice(report);
  if (repaired) warn(`redline: ${repaired}`);
  return report;
}
