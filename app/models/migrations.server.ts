/**
 * Bringing a database up to date: the committed migrations, then the protective triggers
 * re-created if someone dropped or altered them, and the audit log sealed on the run that starts
 * signing it (ADR 0011). Light on purpose: every command of the command line runs it first.
 */
import { sql } from "drizzle-orm";
import { row } from "../../db/dialect";
import { migrateEngine, type RuleProblem } from "../../db/maintenance";
import { SIGNING_STARTED } from "../core/audit";
import { recordAudit } from "./audit.server";
import { engine, holdWriteLock, transaction } from "./db.server";

export type MigrationReport = {
  /** Protective triggers that were missing or altered and have been re-created (recorded in the audit log). */
  restoredTriggers: RuleProblem[];
  /** When this run began signing the audit log: the entry that seals the unsigned ones before it. */
  sealedAt: number | null;
};

/**
 * Brings the database up to date (idempotent): applies the committed migrations, re-creates any
 * protective trigger someone dropped or altered by hand, and — on the run that adds audit
 * signatures to an existing log — seals the unsigned entries with one signed entry (ADR 0011).
 * Both repairs are written to the audit log, so they stay visible after the restart that made them.
 */
export async function migrate(): Promise<MigrationReport> {
  const { restored: restoredTriggers, signingBegins } = await migrateEngine(engine());
  // A start that repairs nothing writes nothing: it does not queue behind the writers (on
  // PostgreSQL), so a worker or web process starts while a long publication is being written.
  return transaction(
    async (tx) => {
      if (signingBegins || restoredTriggers.length > 0) await holdWriteLock(tx);
      let sealedAt: number | null = null;
      const log = (await row<{ unsigned: number; signed: number; head: string | null }>(
        tx,
        sql`SELECT CAST(count(*) AS integer) AS unsigned,
             (SELECT CAST(count(*) AS integer) FROM audit_log WHERE mac IS NOT NULL) AS signed,
             (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS head
           FROM audit_log WHERE mac IS NULL`,
      ))!;
      // Only the run that added the signature columns seals, and only once (two processes may
      // start together after an upgrade).
      if (signingBegins && log.unsigned > 0 && log.signed === 0) {
        sealedAt = (
          await recordAudit(tx, {
            actor: { kind: "system" },
            action: SIGNING_STARTED,
            details: { unsignedEntries: log.unsigned, unsignedHead: log.head },
          })
        ).id;
      }
      if (restoredTriggers.length > 0) {
        await recordAudit(tx, {
          actor: { kind: "system" },
          action: "database.rules-restored",
          details: { triggers: restoredTriggers.map(({ name, problem }) => ({ name, problem })) },
        });
      }
      return { restoredTriggers, sealedAt };
    },
    { rowLocks: true },
  );
}

/** One line for the operator when a migrate run had to repair something, else null. */
export function repairNotice(report: MigrationReport): string | null {
  if (report.restoredTriggers.length === 0) return null;
  const names = report.restoredTriggers.map((t) => `${t.name} (${t.problem})`).join(", ");
  return `restored protective database triggers that had been dropped or altered by hand: ${names}; see the audit log and run \`redline audit verify\``;
}
