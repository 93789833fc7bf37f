import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../db/client";
import { restoreTriggers, type TriggerProblem } from "../db/rules";
import { SIGNING_STARTED } from "./core/audit";
import { isoDateOf } from "./core/dates";
import { detectFormat, parsePolicy } from "./core/document";
import { getEnv } from "./env.server";
import { recordAudit } from "./models/audit.server";
import { db } from "./models/db.server";
import { countDocuments } from "./models/documents.server";
import { countUsers, createUser, generatePassword } from "./models/users.server";
import { publishVersion, saveDraft } from "./models/versions.server";

export type MigrationReport = {
  /** Protective triggers that were missing or altered and have been re-created (recorded in the audit log). */
  restoredTriggers: TriggerProblem[];
  /** When this run began signing the audit log: the entry that seals the unsigned ones before it. */
  sealedAt: number | null;
};

/**
 * Brings the database up to date (idempotent): applies the committed migrations, re-creates any
 * protective trigger someone dropped or altered by hand, and — on the run that adds audit
 * signatures to an existing log — seals the unsigned entries with one signed entry (ADR 0011).
 * Both repairs are written to the audit log, so they stay visible after the restart that made them.
 */
export function migrate(): MigrationReport {
  const database = db();
  const client = database.$client;
  const columns = client.prepare("SELECT name FROM pragma_table_info('audit_log')").pluck().all();
  const signingBegins = !columns.includes("mac");
  migrateDatabase(database);
  const restoredTriggers = restoreTriggers(client, MIGRATIONS_FOLDER);
  return database.transaction(
    (tx) => {
      let sealedAt: number | null = null;
      const log = client
        .prepare(
          `SELECT count(*) AS unsigned, (SELECT count(*) FROM audit_log WHERE mac IS NOT NULL) AS signed,
             (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) AS head
           FROM audit_log WHERE mac IS NULL`,
        )
        .get() as { unsigned: number; signed: number; head: string | null };
      // Only the run that added the signature columns seals, and only once (two processes may
      // start together after an upgrade).
      if (signingBegins && log.unsigned > 0 && log.signed === 0) {
        sealedAt = recordAudit(tx, {
          actor: { kind: "system" },
          action: SIGNING_STARTED,
          details: { unsignedEntries: log.unsigned, unsignedHead: log.head },
        }).id;
      }
      if (restoredTriggers.length > 0) {
        recordAudit(tx, {
          actor: { kind: "system" },
          action: "database.rules-restored",
          details: { triggers: restoredTriggers.map(({ name, problem }) => ({ name, problem })) },
        });
      }
      return { restoredTriggers, sealedAt };
    },
    { behavior: "immediate" },
  );
}

/** One line for the operator when a migrate run had to repair something, else null. */
export function repairNotice(report: MigrationReport): string | null {
  if (report.restoredTriggers.length === 0) return null;
  const names = report.restoredTriggers.map((t) => `${t.name} (${t.problem})`).join(", ");
  return `restored protective database triggers that had been dropped or altered by hand: ${names}; see the audit log and run \`redline audit verify\``;
}

export type FirstRun = {
  imported: { slug: string; number: number }[];
  admin: { email: string; password: string } | null;
};

export const DEFAULT_ADMIN_EMAIL = "admin@redline.localhost";

/**
 * On a fresh database: imports every document in `contentDir` (file name = slug) and publishes
 * it as version 1, and creates an admin login whose generated password is returned so it can be
 * shown once. Does nothing for what already exists.
 */
export async function seedFirstRun({ contentDir }: { contentDir: string }): Promise<FirstRun> {
  const result: FirstRun = { imported: [], admin: null };
  if ((await countDocuments()) === 0) {
    const files = (await readdir(contentDir)).filter(
      (f) => /\.(md|markdown|html?|json)$/i.test(f) && !/^readme\./i.test(f),
    );
    for (const file of files.sort()) {
      const source = await readFile(join(contentDir, file), "utf8");
      const slug = basename(file)
        .replace(/\.[^.]+$/, "")
        .toLowerCase();
      const parsed = parsePolicy(source, detectFormat(file, source));
      await saveDraft({
        slug,
        title: parsed.title ?? slug,
        content: parsed.content,
        actor: { kind: "system" },
      });
      const today = isoDateOf(new Date());
      const version = await publishVersion({
        slug,
        request: {
          material: false,
          lastUpdated: today,
          effectiveAt: today,
          summary: "First published version.",
        },
        actor: { kind: "system" },
        noticePeriodDays: getEnv().NOTICE_PERIOD_DAYS,
        requireApproval: false,
      });
      result.imported.push({ slug, number: version.number });
    }
  }
  if ((await countUsers()) === 0) {
    const password = generatePassword();
    await createUser({
      email: DEFAULT_ADMIN_EMAIL,
      role: "admin",
      password,
      name: "Admin",
      actor: { kind: "system" },
    });
    result.admin = { email: DEFAULT_ADMIN_EMAIL, password };
  }
  return result;
}
