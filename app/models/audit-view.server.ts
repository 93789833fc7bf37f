import { desc, lt } from "drizzle-orm";
import { auditLog, documents, versions } from "../../db/tables";
import { reader } from "./db.server";
import { userEmailsById } from "./users.server";

export type AuditRow = {
  id: number;
  at: string;
  actor: string;
  actorLabel: string;
  action: string;
  document: string | null;
  documentId: number | null;
  versionNumber: number | null;
  details: Record<string, unknown>;
};

/** A page of the audit log, newest first, with people and versions named. */
export async function auditPage({
  before,
  limit = 100,
}: {
  before?: number;
  limit?: number;
}): Promise<AuditRow[]> {
  const rows = await reader()
    .select()
    .from(auditLog)
    .where(before ? lt(auditLog.id, before) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit);
  const emails = new Map([...(await userEmailsById())].map(([id, email]) => [`user:${id}`, email]));
  const docs = new Map(
    (
      await reader()
        .select({ id: documents.id, slug: documents.slug, locale: documents.locale })
        .from(documents)
    ).map((d) => [d.id, `${d.slug} (${d.locale})`]),
  );
  const numbers = new Map(
    (await reader().select({ id: versions.id, number: versions.number }).from(versions)).map((v) => [
      v.id,
      v.number,
    ]),
  );
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorLabel: emails.get(row.actor) ?? (row.actor === "cli" ? "command line" : row.actor),
    action: row.action,
    document: row.documentId ? (docs.get(row.documentId) ?? null) : null,
    documentId: row.documentId,
    versionNumber: row.versionId ? (numbers.get(row.versionId) ?? null) : null,
    details: row.details,
  }));
}
